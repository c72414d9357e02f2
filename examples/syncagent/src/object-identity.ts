/**
 * How the agent marks and finds the service-cluster copy of a kcp object, with upstream's keys and
 * hashes so that copies made by the Go agent are recognised: the identification labels (the name and
 * namespace are SHA-1 hashed, since label values are limited to 63 characters), the plain-text
 * annotations, the reverse mapping from a copy to its kcp object, the metadata that is never copied, and
 * the names of the last-known-state Secret and its keys.
 */
import type { KubeObject } from '@kubeloom/core';
import { goMarshal } from '@kubeloom/kcp-provider/schemas';
import { sha1Hex, shortHash } from './hashes.ts';

/** Finalizer on kcp objects (primary and kcp-origin related) until their copies are cleaned up. */
export const cleanupFinalizer = 'syncagent.kcp.io/cleanup';
/** Label: logical cluster of the kcp object a copy belongs to. */
export const remoteObjectClusterLabel = 'syncagent.kcp.io/remote-object-cluster';
/** Label: SHA-1 of the kcp object's namespace (namespaced objects only). */
export const remoteObjectNamespaceHashLabel = 'syncagent.kcp.io/remote-object-namespace-hash';
/** Label: SHA-1 of the kcp object's name. */
export const remoteObjectNameHashLabel = 'syncagent.kcp.io/remote-object-name-hash';
/** Annotation: the kcp object's namespace in plain text. */
export const remoteObjectNamespaceAnnotation = 'syncagent.kcp.io/remote-object-namespace';
/** Annotation: the kcp object's name in plain text. */
export const remoteObjectNameAnnotation = 'syncagent.kcp.io/remote-object-name';
/** Annotation: the kcp object's workspace path (with `enableWorkspacePaths`). */
export const remoteObjectWorkspacePathAnnotation = 'syncagent.kcp.io/remote-object-workspace-path';
/** Label on state Secrets. */
export const objectStateLabel = 'syncagent.kcp.io/object-state';
/** Prefix of the annotations on a kcp primary that point at its service-origin related copies. */
export const relatedObjectAnnotationPrefix = 'related-resources.syncagent.kcp.io/';

/** Identifies one kcp object: its logical cluster, workspace path (may be empty), namespace and name. */
export interface RemoteObjectKey {
  clusterName: string;
  workspacePath: string;
  namespace: string;
  name: string;
}

/** The key of a kcp object. */
export function remoteObjectKey(
  object: KubeObject,
  clusterName: string,
  workspacePath = '',
): RemoteObjectKey {
  return {
    clusterName,
    workspacePath,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
  };
}

/** Labels that identify the copy of `key` (also the selector to find it). */
export function identificationLabels(key: RemoteObjectKey): Record<string, string> {
  return {
    [remoteObjectClusterLabel]: key.clusterName,
    [remoteObjectNameHashLabel]: sha1Hex(key.name),
    ...(key.namespace ? { [remoteObjectNamespaceHashLabel]: sha1Hex(key.namespace) } : {}),
  };
}

/** Annotations with the plain name, namespace and workspace path of `key`. */
export function identificationAnnotations(key: RemoteObjectKey): Record<string, string> {
  return {
    [remoteObjectNameAnnotation]: key.name,
    ...(key.namespace ? { [remoteObjectNamespaceAnnotation]: key.namespace } : {}),
    ...(key.workspacePath ? { [remoteObjectWorkspacePathAnnotation]: key.workspacePath } : {}),
  };
}

/** The label selector string that finds the copy of `key` on the service cluster. */
export function localCopySelector(key: RemoteObjectKey): string {
  return Object.entries(identificationLabels(key))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The kcp object a service-cluster copy belongs to, from its label and annotations; undefined if unmarked. */
export function remoteKeyOfLocalCopy(local: KubeObject): Omit<RemoteObjectKey, 'workspacePath'> | undefined {
  const clusterName = local.metadata?.labels?.[remoteObjectClusterLabel] ?? '';
  const name = local.metadata?.annotations?.[remoteObjectNameAnnotation] ?? '';
  if (!clusterName || !name) return undefined;
  return {
    clusterName,
    namespace: local.metadata?.annotations?.[remoteObjectNamespaceAnnotation] ?? '',
    name,
  };
}

const unsyncableLabels = new Set([
  remoteObjectClusterLabel,
  remoteObjectNamespaceHashLabel,
  remoteObjectNameHashLabel,
]);
const unsyncableAnnotations = new Set([
  'kcp.io/cluster',
  'kubectl.kubernetes.io/last-applied-configuration',
  remoteObjectNamespaceAnnotation,
  remoteObjectNameAnnotation,
  remoteObjectWorkspacePathAnnotation,
]);

/**
 * A copy of `object` without the metadata that belongs to one side only: server-set fields
 * (uid, resourceVersion, generation, creationTimestamp, managedFields, selfLink), finalizers, owner
 * references, the agent's identification labels and annotations, kcp's `claimed.internal.apis.kcp.io/*`
 * labels, `kcp.io/cluster`, kubectl's last-applied configuration and related-resource hints. Empty label
 * and annotation maps are removed.
 */
export function stripMetadata<T extends KubeObject>(object: T): T {
  const copy = structuredClone(object);
  const metadata: Record<string, unknown> | undefined = copy.metadata;
  if (!metadata) return copy;
  for (const field of [
    'creationTimestamp',
    'finalizers',
    'generation',
    'ownerReferences',
    'resourceVersion',
    'managedFields',
    'uid',
    'selfLink',
  ]) {
    delete metadata[field];
  }
  const labels = filterEntries(
    copy.metadata?.labels,
    (k) => !unsyncableLabels.has(k) && !k.startsWith('claimed.internal.apis.kcp.io/'),
  );
  const annotations = filterEntries(
    copy.metadata?.annotations,
    (k) => !unsyncableAnnotations.has(k) && !k.startsWith(relatedObjectAnnotationPrefix),
  );
  if (labels) metadata.labels = labels;
  else delete metadata.labels;
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;
  return copy;
}

function filterEntries(
  map: Record<string, string> | undefined,
  keep: (key: string) => boolean,
): Record<string, string> | undefined {
  if (!map) return undefined;
  const kept = Object.entries(map).filter(([k]) => keep(k));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** Name of the Secret (in the agent's namespace) holding the last-known states of a primary object and its related objects. */
export function stateSecretName(primary: KubeObject, clusterName: string): string {
  // Go's json.Encoder (what upstream hashes) ends with a newline.
  const digest = shortHash(
    `${goMarshal({
      apiVersion: primary.apiVersion ?? '',
      kind: primary.kind ?? '',
      namespace: primary.metadata?.namespace ?? '',
      name: primary.metadata?.name ?? '',
    })}\n`,
  );
  return `obj-state-${clusterName}-${digest}`;
}

/** The data key of one object's last-known state inside the state Secret (workspace path not included, as upstream). */
export function stateKey(object: KubeObject, clusterName: string): string {
  const key = remoteObjectKey(object, clusterName);
  // Go's encoder writes struct fields in declaration order and a trailing newline.
  return sha1Hex(
    `{"ClusterName":${goMarshal(key.clusterName)},"WorkspacePath":"","Namespace":${goMarshal(key.namespace)},"Name":${goMarshal(key.name)}}\n`,
  );
}

/** The last-known state stored for `object`: metadata stripped, subresource keys (e.g. `status`) removed, Go JSON. */
export function stateSnapshot(object: KubeObject, subresources: readonly string[]): string {
  const stripped = stripMetadata(object) as Record<string, unknown>;
  for (const key of subresources) delete stripped[key];
  return goMarshal(stripped);
}
