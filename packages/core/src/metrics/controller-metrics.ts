import type { WorkQueueObserver } from '../queue/work-queue-observer.ts';

/** How a reconcile ended, as controller-runtime labels it in `controller_runtime_reconcile_total`. */
export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

/**
 * Where a controller reports what it does. The manager implements it with prom-client under
 * controller-runtime's metric names; a controller used on its own reports to {@link noopControllerMetrics}.
 */
export interface ControllerMetrics {
  /** A reconcile finished. `cluster` is given only when the manager opted in to a cluster label. */
  reconcileFinished(
    controller: string,
    outcome: ReconcileOutcome,
    durationSeconds: number,
    cluster?: string,
  ): void;
  /** A reconcile failed (counted in addition to `reconcileFinished(..., 'error')`); `terminal` for TerminalError. */
  reconcileError(controller: string, terminal: boolean): void;
  /** A reconcile exceeded its timeout. */
  reconcileTimeout(controller: string): void;
  /** A reconcile threw something that is not an Error, or crashed unexpectedly (controller-runtime's "panic"). */
  reconcilePanic(controller: string): void;
  /** Number of reconciles running right now changed by `delta`. */
  activeWorkers(controller: string, delta: number): void;
  /**
   * Number of hung reconciles changed by `delta`: reconciles still running after their timeout aborted
   * their signal (and a grace period passed), whose worker was freed while their key stays locked. Optional
   * so that existing implementations keep compiling.
   */
  hungReconciles?(controller: string, delta: number): void;
  /** The configured maximum of concurrent reconciles. */
  maxConcurrentReconciles(controller: string, value: number): void;
  /** An observer for the controller's work queue (depth, adds, latency, work duration, retries). */
  workQueue(controller: string): WorkQueueObserver | undefined;
}

/** Metrics that go nowhere. */
export const noopControllerMetrics: ControllerMetrics = {
  reconcileFinished: () => {},
  reconcileError: () => {},
  reconcileTimeout: () => {},
  reconcilePanic: () => {},
  activeWorkers: () => {},
  hungReconciles: () => {},
  maxConcurrentReconciles: () => {},
  workQueue: () => undefined,
};
