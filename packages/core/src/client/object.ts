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
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metadata` of every object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** `metadata` of a list. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A list response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** The annotation kcp puts on every object to name its logical cluster. */
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** The logical cluster an object belongs to (`kcp.io/cluster`), or `''` outside kcp. */
export function clusterOf(obj: KubeObject): string {
  return obj.metadata?.annotations?.[CLUSTER_ANNOTATION] ?? '';
}
