export * from './scoped-cache.ts';
export * from './shared-informer.ts';
export * from './store.ts';
export * from './informer-events.ts';
export * from './reflect.ts';
