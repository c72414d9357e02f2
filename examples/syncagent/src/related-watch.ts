/**
 * `related[].watch`: a change to a related object wakes the sync of its primary at once, instead of
 * waiting for the primary's next change. `byOwner` picks the primaries named in the related object's owner
 * references; `bySelector` every primary in its namespace whose labels match.
 *
 * - `origin: service` (e.g. the operator rotating its credentials Secret): the primaries are the copies on
 *   the service cluster, each mapped to the kcp object it belongs to.
 * - `origin: kcp` (e.g. the consumer rotating the Secret its Cluster references): the primaries are the
 *   kcp objects in the related object's own workspace.
 */
import { type KubeObject, type MappedRequest, formatLabelSelector } from '@kubeloom/core';
import { agentNameKey } from './api-resource-schema.ts';
import { remoteKeyOfLocalCopy } from './object-identity.ts';
import type { RelatedResourceSpec } from './published-resource.ts';

/** Where the primaries' copies are looked up: the service cluster's cache of the synced kind. */
export interface LocalPrimaries {
  /** The kind of the copies, as it appears in owner references. */
  readonly kind: string;
  /** Copies in one namespace ('' for cluster-scoped ones), optionally matching a label selector. */
  list(namespace: string, labelSelector?: string): readonly KubeObject[];
  /** The agent whose copies these are; copies of another agent are never enqueued. */
  readonly agentName: string;
}

/**
 * The requests (kcp cluster, namespace, name) for the primaries of a changed service-side related object,
 * by the entry's `watch` rule; empty when the entry has no rule.
 */
export function primariesOfRelatedObject(
  spec: RelatedResourceSpec,
  related: KubeObject,
  primaries: LocalPrimaries,
): MappedRequest[] {
  const requests: MappedRequest[] = [];
  for (const copy of watchedPrimaries(spec, related, primaries)) {
    const remote = remoteKeyOfLocalCopy(copy);
    if (!remote || copy.metadata?.labels?.[agentNameKey] !== primaries.agentName) continue;
    requests.push({ cluster: remote.clusterName, namespace: remote.namespace, name: remote.name });
  }
  return requests;
}

/** Where the primaries of a kcp-origin related object are looked up: its workspace's cache of the synced kind. */
export interface KcpPrimaries {
  /** The kind of the primaries, as it appears in owner references. */
  readonly kind: string;
  /** Primaries in one namespace ('' for cluster-scoped ones), optionally matching a label selector. */
  list(namespace: string, labelSelector?: string): readonly KubeObject[];
}

/**
 * The requests (same workspace: no cluster) for the kcp primaries of a changed kcp-side related object, by
 * the entry's `watch` rule; empty when the entry has no rule.
 */
export function kcpPrimariesOfRelatedObject(
  spec: RelatedResourceSpec,
  related: KubeObject,
  primaries: KcpPrimaries,
): MappedRequest[] {
  return watchedPrimaries(spec, related, primaries).map((primary) => ({
    namespace: primary.metadata?.namespace ?? '',
    name: primary.metadata?.name ?? '',
  }));
}

/** The primaries the entry's `watch` rule picks for `related` among those `primaries` lists. */
function watchedPrimaries(
  spec: RelatedResourceSpec,
  related: KubeObject,
  primaries: KcpPrimaries,
): readonly KubeObject[] {
  const namespace = related.metadata?.namespace ?? '';
  if (spec.watch?.byOwner) {
    const owners = new Set(
      (related.metadata?.ownerReferences ?? []).filter((o) => o.kind === primaries.kind).map((o) => o.uid),
    );
    return primaries.list(namespace).filter((p) => owners.has(p.metadata?.uid ?? ''));
  }
  if (spec.watch?.bySelector) {
    // An empty selector matches every primary in the namespace, as in Kubernetes.
    return primaries.list(namespace, formatLabelSelector(spec.watch.bySelector) || undefined);
  }
  return [];
}
