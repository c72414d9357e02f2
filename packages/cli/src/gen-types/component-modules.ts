import type { ResourceSchema } from './resource-schema.ts';
import type { ComponentModules } from './typescript-writer.ts';

/** `io.k8s.api.core.v1.PodSpec` → `io.k8s.api.core.v1`: the Go package (API group/version) that defines it. */
export function componentPackage(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot > 0 ? key.slice(0, dot) : 'components';
}

/**
 * Where each component schema (`$ref` target of a server's OpenAPI v3) is declared, so that every file
 * imports a shared type such as `PodSpec` or `LabelSelector` from one module instead of repeating it.
 *
 * A component belongs to the file of its package's group/version when a kind being generated comes from
 * that package (`io.k8s.api.core.v1.PodSpec` → `core_v1.ts`, as `Pod` is `io.k8s.api.core.v1.Pod`);
 * otherwise to a module named after the package (`io.k8s.apimachinery.pkg.apis.meta.v1.ts` for
 * `LabelSelector`, whose package serves no kind). The schemas of all documents are merged: each server
 * document repeats the components its kinds use, and a key names the same Go type in every one.
 *
 * @param kindsByFile The kinds of each generated group/version file, by file name.
 */
export function componentModules(
  kindsByFile: ReadonlyMap<string, readonly ResourceSchema[]>,
): ComponentModules {
  const schemas: Record<string, unknown> = {};
  const packageFiles = new Map<string, string>();
  const documents = new Set<object>();
  for (const fileName of [...kindsByFile.keys()].toSorted()) {
    for (const kind of kindsByFile.get(fileName) ?? []) {
      if (kind.componentKey !== undefined) {
        const owner = componentPackage(kind.componentKey);
        if (!packageFiles.has(owner)) packageFiles.set(owner, fileName);
      }
      if (kind.components === undefined || documents.has(kind.components)) continue;
      documents.add(kind.components);
      for (const [key, schema] of Object.entries(kind.components)) {
        if (!(key in schemas)) schemas[key] = schema;
      }
    }
  }
  return {
    schemas,
    moduleOf: (key) => {
      const owner = componentPackage(key);
      return packageFiles.get(owner) ?? `${owner}.ts`;
    },
  };
}
