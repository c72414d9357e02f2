/**
 * Which permission claims an APIExport needs for a set of PublishedResources (upstream's rules): always
 * `events`; `namespaces` when any resource filters by namespace or has related resources at all;
 * `core.kcp.io/logicalclusters` when workspace paths are enabled; and every related resource's kcp-side
 * group/resource (with its identity hash) unless the export itself provides it.
 */
import type { PublishedResource, RelatedResourceSpec } from './published-resource.ts';

/** A claim as the agent needs it: all objects of one group/resource (verbs `*`). */
export interface ClaimKey {
  /** `''` for the core group. */
  group: string;
  resource: string;
  /** `''` for built-in and kcp system resources. */
  identityHash: string;
}

/** A group/resource, e.g. from an APIExport's resources. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** The GVR of a related resource on its origin side (the deprecated `kind` maps to core/v1). */
export function relatedResourceGvr(related: RelatedResourceSpec): {
  group: string;
  version: string;
  resource: string;
} {
  if (related.kind === 'ConfigMap') return { group: '', version: 'v1', resource: 'configmaps' };
  if (related.kind === 'Secret') return { group: '', version: 'v1', resource: 'secrets' };
  return { group: related.group ?? '', version: related.version ?? '', resource: related.resource ?? '' };
}

/** The GVR of a related resource on the kcp side: its own for origin kcp, else after its projection. */
export function relatedResourceKcpGvr(related: RelatedResourceSpec): {
  group: string;
  version: string;
  resource: string;
} {
  const gvr = relatedResourceGvr(related);
  if (related.origin === 'kcp' || !related.projection) return gvr;
  return {
    group: related.projection.group || gvr.group,
    version: related.projection.version || gvr.version,
    resource: related.projection.resource || gvr.resource,
  };
}

/**
 * The claims the PublishedResources need, sorted by group then resource. `provided` lists the
 * group/resources the APIExport serves itself (ours, predicted ones and foreign ones); related resources
 * among them need no claim.
 */
export function requiredPermissionClaims(
  prs: readonly PublishedResource[],
  provided: Iterable<GroupResource>,
): ClaimKey[] {
  const own = new Set([...provided].map(groupResourceKey));
  const claims = new Map<string, ClaimKey>();
  const add = (claim: ClaimKey): void => {
    claims.set(`${claim.group}/${claim.resource}/${claim.identityHash}`, claim);
  };
  add({ group: '', resource: 'events', identityHash: '' });
  for (const pr of prs) {
    if (pr.spec.filter?.namespace) add({ group: '', resource: 'namespaces', identityHash: '' });
    if (pr.spec.enableWorkspacePaths)
      add({ group: 'core.kcp.io', resource: 'logicalclusters', identityHash: '' });
    for (const related of pr.spec.related ?? []) {
      add({ group: '', resource: 'namespaces', identityHash: '' });
      const gvr = relatedResourceKcpGvr(related);
      if (!own.has(groupResourceKey(gvr)))
        add({ group: gvr.group, resource: gvr.resource, identityHash: related.identityHash ?? '' });
    }
  }
  return [...claims.values()].toSorted(compareClaims);
}

/** `resource.group` (or just `resource` for core), the form Kubernetes prints group/resources in. */
export function groupResourceKey(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** Orders claims by group, then resource, then identity hash. */
export function compareClaims(a: ClaimKey, b: ClaimKey): number {
  return (
    compareStrings(a.group, b.group) ||
    compareStrings(a.resource, b.resource) ||
    compareStrings(a.identityHash, b.identityHash)
  );
}

/** Byte-wise string order (Go's `strings.Compare`), independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
