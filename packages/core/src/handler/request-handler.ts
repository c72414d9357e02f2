import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import type { KubeObject } from '../client/object.ts';
import type { Logger } from '../log/logger.ts';
import type { Request } from '../reconcile/request.ts';

/**
 * Where a handler sends the Requests it derives from an event, and which engaged cluster the event came
 * from. The controller builds one per (watch, engaged cluster), so a handler never has to find out the
 * cluster from the object itself: `clusterName` is the name the cluster was engaged under, which is what
 * Requests must carry (not the kcp logical cluster of a shared cache, which may differ).
 */
export interface HandlerContext {
  /** The name the event's cluster was engaged under. */
  readonly clusterName: ClusterName;
  /** That cluster's client, cache and recorder, for handlers that must look something up. */
  readonly cluster: Cluster;
  /** Queues a Request for the controller; duplicates are merged by the work queue. */
  enqueue(request: Request): void;
  /** Bound to the controller and cluster. */
  readonly log: Logger;
}

/**
 * Turns watch events into reconcile Requests. Reconcilers are level-triggered, so a handler decides only
 * *which* objects need reconciling, never what happened to them. Callbacks run synchronously inside the
 * informer's dispatch: keep them cheap and never block or throw on purpose.
 */
export interface RequestHandler<T extends KubeObject = KubeObject> {
  /** An object appeared (created, or found when the cluster was engaged). */
  create(object: T, context: HandlerContext): void;
  /** An object changed; both states are given so that handlers can follow references that moved. */
  update(oldObject: T, newObject: T, context: HandlerContext): void;
  /** An object was deleted; `object` is its last known state. */
  delete(object: T, context: HandlerContext): void;
  /** Events from custom sources; handlers that do not expect them may leave this out. */
  generic?(object: T, context: HandlerContext): void;
}

/** The Request for an object in the event's cluster. */
export function requestForObject(object: KubeObject, cluster: ClusterName): Request {
  return { cluster, namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
}
