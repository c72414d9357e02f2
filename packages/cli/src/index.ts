/**
 * `@kubeloom/cli`: the `kubeloom` command line, and its commands as functions for build scripts.
 * @packageDocumentation
 */
export * from './cli-output.ts';
export * from './gen-apiresourceschema/crds-from-manifests.ts';
export * from './gen-apiresourceschema/gen-apiresourceschema.ts';
export * from './gen-apiresourceschema/structural-schema-check.ts';
export * from './gen-types/files-on-disk.ts';
export * from './gen-types/gen-types.ts';
export * from './gen-types/generate-files.ts';
export * from './gen-types/resource-schema.ts';
export * from './gen-types/schemas-from-cluster.ts';
export * from './gen-types/schemas-from-manifests.ts';
export { descriptorName } from './gen-types/typescript-writer.ts';
export * from './init/scaffold.ts';
export * from './main.ts';
