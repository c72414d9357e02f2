/**
 * What one PublishedResource syncs, resolved against the service cluster's CRD: the local resource (the
 * CRD's storage version, as upstream syncs), the resource kcp serves (after projection), the subresources
 * whose fields never travel with a spec sync, and the APIResourceSchema the export serves it from. The
 * sync controller of a PublishedResource is built from this, and restarted whenever it changes.
 */
import {
  type CustomResourceDefinition as ServedCrd,
  type Client,
  CustomResourceDefinitionResource,
  type ResourceDescriptor,
  defineResource,
} from '@kubeloom/core';
import { apiResourceSchemaName, type CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { projectCrd, storageVersionOf, stripServiceCrd } from './crd-projection.ts';
import type { PublishedResource } from './published-resource.ts';

/** One PublishedResource's sync, both sides. */
export interface SyncTarget {
  /** The kind on the service cluster, at the CRD's storage version. */
  readonly local: ResourceDescriptor;
  /** The kind in kcp (projected), at the projected storage version. */
  readonly remote: ResourceDescriptor;
  /** Top-level keys served as subresources by the local version (`status`, `scale`). */
  readonly subresources: readonly string[];
  /** Whether the local version has a status subresource (only then status flows back to kcp). */
  readonly statusSubresource: boolean;
  /** The APIResourceSchema name for the projected CRD. */
  readonly schemaName: string;
  /** The projected CRD (what kcp serves). */
  readonly projected: CustomResourceDefinition;
}

/** The CRD of `apiGroup`/`kind` on the service cluster, or undefined when none is installed. */
export async function findServiceCrd(
  client: Client,
  apiGroup: string,
  kind: string,
): Promise<CustomResourceDefinition | undefined> {
  const crds = await client.list(CustomResourceDefinitionResource);
  return crds.items.find((c: ServedCrd) => c.spec?.group === apiGroup && c.spec?.names?.kind === kind) as
    | CustomResourceDefinition
    | undefined;
}

/** Resolves `pr` against its service CRD. Throws `ProjectionError` when the CRD cannot be published as asked. */
export function syncTargetOf(pr: PublishedResource, crd: CustomResourceDefinition): SyncTarget {
  const localVersion = storageVersionOf(crd);
  const version = crd.spec.versions.find((v) => v.name === localVersion);
  const subresources = Object.keys(version?.subresources ?? {}).toSorted();
  const projected = projectCrd(stripServiceCrd(crd), pr);
  return {
    local: defineResource({
      group: crd.spec.group,
      version: localVersion,
      kind: crd.spec.names.kind,
      plural: crd.spec.names.plural,
      namespaced: crd.spec.scope === 'Namespaced',
    }),
    remote: defineResource({
      group: projected.spec.group,
      version: storageVersionOf(projected),
      kind: projected.spec.names.kind,
      plural: projected.spec.names.plural,
      namespaced: projected.spec.scope === 'Namespaced',
    }),
    subresources,
    statusSubresource: subresources.includes('status'),
    schemaName: apiResourceSchemaName(projected),
    projected,
  };
}
