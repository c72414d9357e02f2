/** The webshop operator and the Webshop API's installation. */
export * from './compute-objects.ts';
export * from './credentials.ts';
export * from './install-webshop-api.ts';
export * from './names.ts';
export * from './webshop-conditions.ts';
export * from './webshop-operator.ts';
