import type { Client } from '@kubeloom/core';
import {
  type APIBinding,
  APIBindingResource,
  type APIResourceSchema,
  APIResourceSchemaResource,
  clusterUrl,
} from '@kubeloom/kcp-provider';
import { EXPORTED_LABEL } from '../api/labels.ts';

/** One resource the backend can export: an API its workspace has bound, with the schema that defines it. */
export interface CatalogueResource {
  readonly group: string;
  readonly resource: string;
  /** The APIResourceSchema's name, in the workspace of the APIExport the binding points at. */
  readonly schema: string;
  /** The logical cluster of that APIExport's workspace. */
  readonly exportCluster: string;
}

/** An entry of the catalogue: what one APIBinding of the backend workspace offers, under the binding's name. */
export interface CatalogueEntry {
  readonly name: string;
  readonly resources: readonly CatalogueResource[];
}

/**
 * What the backend offers: one entry per bound APIBinding of its workspace labelled
 * `kube-bind.io/exported=true` (so an API published into kcp by the syncagent, and bound here, can be bound
 * by consumers' clusters; kcp's own system bindings are never offered).
 */
export async function readCatalogue(backend: Client): Promise<CatalogueEntry[]> {
  const bindings = await backend.list(APIBindingResource, { labelSelector: `${EXPORTED_LABEL}=true` });
  return bindings.items
    .filter((b: APIBinding) => b.status?.phase === 'Bound' && b.status.apiExportClusterName)
    .map((b: APIBinding) => ({
      name: b.metadata.name ?? '',
      resources: (b.status?.boundResources ?? []).map((r) => ({
        group: r.group,
        resource: r.resource,
        schema: r.schema.name,
        exportCluster: b.status?.apiExportClusterName ?? '',
      })),
    }))
    .toSorted((x, y) => x.name.localeCompare(y.name));
}

/** The APIResourceSchema of a catalogue resource, read from its export's workspace. */
export function readSchema(backend: Client, resource: CatalogueResource): Promise<APIResourceSchema> {
  return backend
    .withServer(clusterUrl(backend.rest.server, resource.exportCluster))
    .get(APIResourceSchemaResource, resource.schema);
}
