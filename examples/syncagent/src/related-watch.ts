/**
 * `related[].watch` for a service-origin related resource: a change to a related object on the service
 * cluster (e.g. the operator rotating its credentials Secret) wakes the sync of its primary at once,
 * instead of waiting for the primary's next change. The related object is mapped to the primaries' copies
 * on the service cluster (`byOwner`: the copy named in its owner references; `bySelector`: every copy in
 * its namespace whose labels match), and each copy to the kcp object it belongs to.
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
  const namespace = related.metadata?.namespace ?? '';
  let copies: readonly KubeObject[] = [];
  if (spec.watch?.byOwner) {
    const owners = new Set(
      (related.metadata?.ownerReferences ?? []).filter((o) => o.kind === primaries.kind).map((o) => o.uid),
    );
    copies = primaries.list(namespace).filter((c) => owners.has(c.metadata?.uid ?? ''));
  } else if (spec.watch?.bySelector) {
    // An empty selector matches every copy in the namespace, as in Kubernetes.
    copies = primaries.list(namespace, formatLabelSelector(spec.watch.bySelector) || undefined);
  }
  const requests: MappedRequest[] = [];
  for (const copy of copies) {
    const remote = remoteKeyOfLocalCopy(copy);
    if (!remote || copy.metadata?.labels?.[agentNameKey] !== primaries.agentName) continue;
    requests.push({ cluster: remote.clusterName, namespace: remote.namespace, name: remote.name });
  }
  return requests;
}
