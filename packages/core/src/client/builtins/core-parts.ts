/**
 * What the generated built-in descriptors (`generated/*.ts`) import: `kubeloom gen types` writes
 * `import { defineResource, type KubeObject, type ObjectMeta } from '<module>'`, and inside @kubeloom/core
 * that module must be a small one, not the package's index (which would load all of core for one file).
 */
export { defineResource } from '../resource.ts';
export type { KubeObject, ObjectMeta } from '../object.ts';
