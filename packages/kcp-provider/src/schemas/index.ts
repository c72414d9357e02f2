/**
 * CustomResourceDefinition → kcp APIResourceSchema conversion, with kcp's naming rule and api-syncagent's
 * content-derived names (the SHA-1 of the CRD spec as Go encodes it, reproduced byte for byte).
 *
 * @packageDocumentation
 */
export * from './api-export-resources.ts';
export * from './api-resource-schema.ts';
export * from './crd.ts';
export * from './go-json.ts';
