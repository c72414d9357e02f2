import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import type { ClusterFanOut } from './cluster-fan-out.ts';
import { type Runnable, isCacheSyncing, isClusterAware, runnableName } from './runnable.ts';
import { settleBy } from './shutdown.ts';

/**
 * Least time between two waits for a runnable's caches: a wait that failed sooner (its own timeout is
 * short, or it failed at once) is retried after the rest of this, so that a failing wait cannot spin.
 */
const SYNC_RETRY_MS = 5000;

/** One run of a runnable (a leader-only runnable runs at most once per manager). */
export interface Run {
  /** The runnable's run signal: aborted to make it stop taking work and drain. */
  readonly controller: AbortController;
  /**
   * Its cluster engagements: they end when the runnable has finished (so in-flight reconciles keep their
   * cluster while they drain), or at once when leadership is lost.
   */
  readonly engagements: AbortController;
  done: Promise<void>;
  finished: boolean;
  /** Whether its caches have synced once; a sync that timed out does not count. */
  synced: boolean;
  /** Resolved once `synced` or `finished`: what the initial readiness waits for. */
  readonly syncedOrFinished: PromiseWithResolvers<void>;
}

/** A runnable the manager holds, and its run once started. */
export interface RunnableEntry {
  readonly runnable: Runnable;
  readonly name: string;
  readonly leaderOnly: boolean;
  run: Run | undefined;
}

/** What {@link RunnableRuns} needs from the manager. */
export interface RunnableRunsOptions {
  logger: Logger;
  /** Where cluster-aware runnables get their clusters. */
  engagements: ClusterFanOut;
  /** A runnable failed while it was meant to run: the manager shuts down. */
  onFailure(error: unknown, what: string): void;
}

/**
 * The runnables' lifecycle: each is started once (a leader-only one when this replica is elected), its
 * clusters engaged into it for as long as it runs, its caches waited for (again and again until they
 * sync, so readiness follows them), and on shutdown it is aborted and awaited until a deadline.
 */
export class RunnableRuns {
  readonly #entries: RunnableEntry[] = [];
  readonly #options: RunnableRunsOptions;

  constructor(options: RunnableRunsOptions) {
    this.#options = options;
  }

  /** Records `runnable`; it runs only on the leader when `leaderOnly`. */
  add(runnable: Runnable, leaderOnly: boolean): RunnableEntry {
    const entry: RunnableEntry = { runnable, name: runnableName(runnable), leaderOnly, run: undefined };
    this.#entries.push(entry);
    return entry;
  }

  /** Starts every runnable not started yet, of the given kind (leader-only or not). */
  startAll(leaderOnly: boolean): void {
    for (const entry of this.#entries) if (entry.leaderOnly === leaderOnly && !entry.run) this.start(entry);
  }

  /** Aborts the leader-only runnables and their engagements at once: another replica may already lead. */
  abortLeaderOnly(reason: Error): void {
    for (const entry of this.#entries) {
      if (entry.leaderOnly) {
        entry.run?.controller.abort(reason);
        // No graceful drain without leadership: another replica may already be reconciling.
        entry.run?.engagements.abort(reason);
      }
    }
  }

  /** Why readiness waits for the runnables' caches (one reason per unsynced runnable), empty when it does not. */
  unsyncedReasons(): string[] {
    return this.#entries
      .filter((e) => e.run && !e.run.finished && !e.run.synced)
      .map((e) => `waiting for the caches of controller ${e.name} to sync${this.#syncDetail(e)}`);
  }

  /** The runs whose caches have not synced yet (and that have not finished). */
  pendingSyncs(): Run[] {
    return this.#entries.flatMap((e) => (e.run && !e.run.synced && !e.run.finished ? [e.run] : []));
  }

  /** Aborts every run and waits for them until `deadline`; returns the names of those still running. */
  async drain(deadline: number): Promise<string[]> {
    const runs = this.#entries.filter((e) => e.run !== undefined);
    for (const entry of runs) entry.run?.controller.abort(new Error('the manager is shutting down'));
    const drained = await settleBy(
      runs.map((e) => e.run?.done),
      deadline,
    );
    return drained ? [] : runs.filter((e) => !e.run?.finished).map((e) => e.name);
  }

  /** Starts `entry`: runs it, engages clusters into it when it is cluster-aware, and follows its caches. */
  start(entry: RunnableEntry): void {
    const { runnable } = entry;
    const controller = new AbortController();
    const log = this.#options.logger.child({ runnable: entry.name });
    const engagements = new AbortController();
    const run: Run = {
      controller,
      engagements,
      finished: false,
      synced: !isCacheSyncing(runnable),
      syncedOrFinished: Promise.withResolvers<void>(),
      done: Promise.resolve(),
    };
    if (run.synced) run.syncedOrFinished.resolve();
    run.done = (async () => {
      try {
        await runnable.start(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) this.#options.onFailure(error, `runnable ${entry.name} failed`);
        else log.debug({ err: error }, 'runnable ended with an error after it was stopped');
      } finally {
        run.finished = true;
        run.syncedOrFinished.resolve();
        // A runnable that returned (on its own, or after draining) is done with its clusters too.
        controller.abort(new Error(`${entry.name} finished`));
        engagements.abort(new Error(`${entry.name} finished`));
      }
    })();
    entry.run = run;
    const replayed = isClusterAware(runnable)
      ? this.#options.engagements.attach(runnable, entry.name, engagements.signal)
      : Promise.resolve();
    if (isCacheSyncing(runnable)) {
      void (async () => {
        await replayed;
        // A sync that times out (a cluster that is slow or unreachable) is retried: readiness follows the
        // caches whenever they get there, instead of staying off for good.
        while (!controller.signal.aborted) {
          const waitStarted = Date.now();
          try {
            await runnable.waitForCacheSync(controller.signal);
            run.synced = true;
            run.syncedOrFinished.resolve();
            log.debug('caches synced');
            return;
          } catch (error) {
            if (controller.signal.aborted) return;
            log.warn(
              { err: error },
              `the caches of controller ${entry.name} have not synced in time${this.#syncDetail(entry)}; /readyz fails until they have`,
            );
            // Waiting again at once after a long wait means readiness follows the caches without a lag.
            const pause = SYNC_RETRY_MS - (Date.now() - waitStarted);
            if (pause > 0) await sleep(pause, undefined, { signal: controller.signal }).catch(() => {});
          }
        }
      })();
    }
  }

  /** `: <what the runnable's caches wait for>`, or `''` when it cannot tell. */
  #syncDetail(entry: RunnableEntry): string {
    const { runnable } = entry;
    if (!isCacheSyncing(runnable)) return '';
    let detail: string | undefined;
    try {
      detail = runnable.notSyncedReason?.();
    } catch (error) {
      this.#options.logger.debug({ runnable: entry.name, err: error }, 'notSyncedReason threw');
    }
    return detail ? `: ${detail}` : '';
  }
}
