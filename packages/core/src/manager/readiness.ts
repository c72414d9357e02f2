import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';
import type { ClusterFanOut } from './cluster-fan-out.ts';
import type { RunnableRuns } from './runnable-runs.ts';

/** How often the startup check looks whether the manager has become ready once the caches synced. */
const READY_POLL_MS = 200;

/** Where a manager is in its life. */
export type ManagerState = 'new' | 'running' | 'stopping' | 'stopped';

/** What {@link ManagerReadiness} looks at. */
export interface ManagerReadinessOptions {
  logger: Logger;
  provider: Provider | undefined;
  engagements: ClusterFanOut;
  runs: RunnableRuns;
  state(): ManagerState;
  /** Resolves when a stop was requested: the startup wait gives up then. */
  stopRequested: Promise<void>;
}

/**
 * What `/readyz` reports for the manager itself: ready once the provider's initial clusters are engaged,
 * their engagement into the controllers is done and every controller's caches have synced, for as long as
 * the provider has nothing against it; not ready before start and while shutting down. Each not-ready
 * answer says what it waits for.
 */
export class ManagerReadiness {
  readonly #options: ManagerReadinessOptions;
  /** The startup phase readiness waits for; undefined once it waits for the controllers' caches. */
  #waitingFor: string | undefined = 'the manager to start';
  #initialSyncDone = false;

  constructor(options: ManagerReadinessOptions) {
    this.#options = options;
  }

  /** Why the manager is not ready, or undefined when it is. */
  notReadyReason(): string | undefined {
    const state = this.#options.state();
    if (state === 'new') return 'the manager has not started';
    if (state !== 'running') return 'the manager is shutting down';
    const providerReason = this.#options.provider?.notReadyReason?.();
    if (providerReason) return `the provider is not ready: ${providerReason}`;
    if (this.#waitingFor !== undefined) return `waiting for ${this.#waitingFor}`;
    const unsynced = this.#options.runs.unsyncedReasons();
    if (unsynced.length > 0) return unsynced.join('; ');
    if (!this.#initialSyncDone) return 'waiting for the caches of the controllers to sync';
    return undefined;
  }

  /**
   * Follows startup: the provider's initial set engaged, its fan-out done, then every runnable's caches
   * synced; logs "manager is ready" when that (and the provider) says so. Returns early on stop.
   */
  async trackStartup(): Promise<void> {
    const { provider, engagements, runs, logger } = this.#options;
    const stopping = this.#options.stopRequested.then(() => 'stopping' as const);
    const ready = provider?.ready;
    if (ready) {
      this.#waitingFor = "the provider's initial clusters";
      const outcome = await Promise.race([
        ready.then(
          () => 'done' as const,
          (error: unknown) => {
            logger.error({ err: error }, "the provider's readiness failed; continuing without it");
            return 'done' as const;
          },
        ),
        stopping,
      ]);
      if (outcome === 'stopping') return;
    }
    this.#waitingFor = 'clusters to be engaged into the controllers';
    if ((await Promise.race([engagements.idle().then(() => 'done' as const), stopping])) === 'stopping')
      return;
    this.#waitingFor = undefined;
    // Only caches that really synced count: a runnable's sync that timed out is retried (see RunnableRuns)
    // and keeps readiness off meanwhile. Runnables added while waiting are waited for too.
    for (;;) {
      const pending = runs.pendingSyncs();
      if (pending.length === 0) break;
      const synced = Promise.all(pending.map((run) => run.syncedOrFinished.promise));
      if ((await Promise.race([synced.then(() => 'done' as const), stopping])) === 'stopping') return;
    }
    this.#initialSyncDone = true;
    // A provider may still hold readiness off with a reason of its own: announce readiness when it is real.
    while (this.#options.state() === 'running' && this.notReadyReason() !== undefined) {
      await Promise.race([sleep(READY_POLL_MS), stopping]);
    }
    if (this.#options.state() !== 'running') return;
    logger.info({ clusters: engagements.size - 1 }, 'manager is ready');
  }
}
