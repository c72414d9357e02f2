/**
 * Plain-JSON shapes of Kubernetes objects. kubeloom never turns API responses into class instances:
 * timestamps stay strings, and list items and watch events have the same shape.
 */

/**
 * Converts a client-node model type (whose timestamps are `Date`) into the plain JSON shape the API
 * server actually sends, e.g. `Json<V1ConfigMap>`.
 */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** An owner reference (metadata.ownerReferences[]). */
export interface OwnerReference {
  /** `apiVersion` of the owner, e.g. `apps/v1`. */
  apiVersion: string;
  /** Kind of the owner, e.g. `Deployment`. */
  kind: string;
  /** Name of the owner, in the same namespace as the owned object (or cluster-scoped). */
  name: string;
  /** UID of the owner: a new object of the same name is another owner, so garbage collection is exact. */
  uid: string;
  /** True for the one owner that manages the object (what `setControllerReference` sets). */
  controller?: boolean;
  /** True to keep a foreground deletion of the owner waiting until this object is gone. */
  blockOwnerDeletion?: boolean;
}

/** `metadata` of every object. */
export interface ObjectMeta {
  /** Unique within the namespace (or the cluster, for cluster-scoped kinds); cannot change. */
  name?: string;
  /** Prefix the server completes into a unique name on create, when `name` is empty. */
  generateName?: string;
  /** Namespace of a namespaced object; empty for cluster-scoped ones. */
  namespace?: string;
  /** Set by the server on create; tells apart objects that had the same name at different times. */
  uid?: string;
  /** Opaque version of this state: send it back on update for optimistic concurrency (409 on a conflict). */
  resourceVersion?: string;
  /** Incremented by the server on each change of the desired state (not of status); compare with `status.observedGeneration`. */
  generation?: number;
  /** When the object was created, RFC 3339 (to the second), set by the server. */
  creationTimestamp?: string;
  /** Set when deletion was requested; the object stays until its finalizers are removed. */
  deletionTimestamp?: string;
  /** Seconds the object has to terminate gracefully once deletion was requested. */
  deletionGracePeriodSeconds?: number;
  /** Identifying key/values that selectors (informers, `list`) filter on. */
  labels?: Record<string, string>;
  /** Non-identifying key/values for tools and controllers; kcp puts `kcp.io/cluster` here. */
  annotations?: Record<string, string>;
  /** Objects this one depends on; it is garbage-collected when they are all gone. */
  ownerReferences?: OwnerReference[];
  /** Names of controllers that must clean up before the object is deleted (see `addFinalizer`). */
  finalizers?: string[];
  /** Which field manager owns which fields (server-side apply's bookkeeping); apply drops it from what it sends. */
  managedFields?: unknown[];
  /** Fields newer servers add, kept as they are. */
  [key: string]: unknown;
}

/** Any Kubernetes object. */
export interface KubeObject {
  /** `group/version` (or `v1` for the core group); filled in from the descriptor on writes and on list items. */
  apiVersion?: string;
  /** The object's kind, e.g. `ConfigMap`; filled in like `apiVersion`. */
  kind?: string;
  /** Name, namespace, labels and the other fields every object has. */
  metadata?: ObjectMeta;
}

/** `metadata` of a list. */
export interface ListMeta {
  /** The version of the collection the list reflects: start a watch from it to miss no change. */
  resourceVersion?: string;
  /** Token for the next page of a paged list; absent on the last page. */
  continue?: string;
  /** How many items the next pages hold, when the server can tell. */
  remainingItemCount?: number;
}

/** A list response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  /** `apiVersion` of the list, e.g. `v1`. */
  apiVersion?: string;
  /** Kind of the list, e.g. `ConfigMapList`. */
  kind?: string;
  /** The list's resourceVersion (to watch from) and paging token. */
  metadata: ListMeta;
  /** The objects, with `apiVersion` and `kind` filled in. */
  items: T[];
}

/** The annotation kcp puts on every object to name its logical cluster. */
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** The logical cluster an object belongs to (`kcp.io/cluster`), or `''` outside kcp. */
export function clusterOf(obj: KubeObject): string {
  return obj.metadata?.annotations?.[CLUSTER_ANNOTATION] ?? '';
}
