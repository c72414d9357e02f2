import type { APIExport, APIResourceSchema, ResourceSchema } from '../apis/apis.ts';

/**
 * The `spec.resources` entries of an APIExport (v1alpha2) that exports `schemas`: each schema's group and
 * plural, its name, and storage in kcp itself (`crd: {}`), as a provider that owns the objects wants.
 */
export function exportedResources(schemas: readonly APIResourceSchema[]): ResourceSchema[] {
  return schemas.map((s) => ({
    name: s.spec.names.plural,
    group: s.spec.group,
    schema: s.metadata.name ?? '',
    storage: { crd: {} },
  }));
}

/** An APIExport (v1alpha2) named `name` exporting `schemas`, without permission claims. */
export function apiExportFor(name: string, schemas: readonly APIResourceSchema[]): APIExport {
  return {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIExport',
    metadata: { name },
    spec: { resources: exportedResources(schemas) },
  };
}
