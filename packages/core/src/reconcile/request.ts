import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';

/** What to reconcile: an object's coordinates (never the object itself: reconcilers are level-triggered). */
export interface Request {
  /** The cluster the object lives in (`''`: the manager's local cluster). */
  readonly cluster: ClusterName;
  /** `''` for cluster-scoped objects. */
  readonly namespace: string;
  /** Name of the object to reconcile. */
  readonly name: string;
}

/** A stable string key for a request, used by the work queue: `cluster|namespace/name`. */
export function requestKey(req: Request): string {
  return `${req.cluster}|${req.namespace}/${req.name}`;
}

/** What a reconciler wants next. Returning nothing means done until something changes. */
export interface Result {
  /** Reconcile again after this many milliseconds (e.g. to poll an external system). */
  requeueAfter?: number;
  /** Reconcile again soon, with rate-limited backoff. */
  requeue?: boolean;
}

/** Everything a reconcile gets besides the request. */
export interface ReconcileContext {
  /** The request's cluster: client, cache and event recorder. */
  readonly cluster: Cluster;
  /**
   * Aborted when the reconcile times out, the cluster disengages or the manager shuts down, while the
   * reconcile runs. Once it returns, the signal is let go and stays as it is: give work a reconcile leaves
   * running a signal of its own.
   */
  readonly signal: AbortSignal;
  /** Bound to controller, cluster, namespace, name and reconcileID. */
  readonly log: Logger;
  /** Unique per reconcile, for correlating log lines. */
  readonly reconcileID: string;
}

/** The function a controller calls for each request. Throw to retry with backoff; throw {@link TerminalError} to stop retrying. */
export type Reconciler = (req: Request, ctx: ReconcileContext) => Promise<Result | void>;

/** An error that retrying will not fix (bad spec, missing permission the user must grant): logged, not requeued. */
export class TerminalError extends Error {
  /** `TerminalError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'TerminalError';
}
