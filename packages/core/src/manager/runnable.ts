import type { Aware } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';

/** What a manager offers the runnables it is given, for those that were not given their own. */
export interface ManagerDefaults {
  /** The manager's root logger. */
  readonly logger: Logger;
  /** The manager's controller metrics (controller-runtime's names, in the registry `/metrics` serves). */
  readonly metrics: ControllerMetrics;
}

/**
 * Anything the manager runs: controllers, providers' helpers, periodic jobs. `start` runs until `signal`
 * aborts and then finishes its work (a controller drains its in-flight reconciles) before resolving.
 * Rejecting while the signal is not aborted is a fatal error: the manager shuts down and `start` rejects.
 */
export interface Runnable {
  /** Runs until `signal` aborts, then resolves once stopped. */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Run only on the elected leader (started when leadership is won, aborted when it is lost). Default true,
   * as in controller-runtime: work that writes must not run twice.
   */
  readonly needLeaderElection?: boolean;
  /** For log lines and for naming what did not stop in time. */
  readonly name?: string;
  /**
   * Called by `Manager.add`, before the runnable starts: take the manager's logger and metrics where none
   * were given at construction, so that a controller logs and reports without being wired by hand.
   */
  useManagerDefaults?(defaults: ManagerDefaults): void;
}

/** A runnable that also works per cluster (a controller): the manager engages every cluster into it. */
export interface ClusterAwareRunnable extends Runnable, Aware {}

/** A runnable whose informers must have synced before the manager reports ready (a controller). */
export interface CacheSyncingRunnable extends Runnable {
  /** Resolves when the informers it watches on every cluster engaged so far have synced. */
  waitForCacheSync(signal: AbortSignal): Promise<void>;
  /**
   * What its caches still wait for (each watch, cluster and last watch error), or undefined once synced.
   * The manager puts it in `/readyz` and in the warning it logs when a sync takes too long.
   */
  notSyncedReason?(): string | undefined;
}

/** Whether the manager should engage clusters into `runnable`. */
export function isClusterAware(runnable: Runnable): runnable is ClusterAwareRunnable {
  return typeof (runnable as Partial<Aware>).engage === 'function';
}

/** Whether readiness should wait for `runnable`'s informers. */
export function isCacheSyncing(runnable: Runnable): runnable is CacheSyncingRunnable {
  return typeof (runnable as Partial<CacheSyncingRunnable>).waitForCacheSync === 'function';
}

/** A runnable's name for logs: its `name`, else its class name. */
export function runnableName(runnable: Runnable): string {
  return runnable.name ?? runnable.constructor?.name ?? 'runnable';
}
