import { randomUUID } from 'node:crypto';
import { type Aware, type Cluster, type ClusterName, ClusterNotFoundError } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import type { ManagerDefaults } from '../manager/runnable.ts';
import {
  type ControllerMetrics,
  noopControllerMetrics,
  type ReconcileOutcome,
} from '../metrics/controller-metrics.ts';
import type { RateLimiter } from '../queue/rate-limiter.ts';
import type { ProcessContext } from '../queue/run-workers.ts';
import { WorkQueue } from '../queue/work-queue.ts';
import type { WorkQueueObserver } from '../queue/work-queue-observer.ts';
import {
  type Reconciler,
  type Request,
  type Result,
  TerminalError,
  requestKey,
} from '../reconcile/request.ts';
import type { Source, SourceStartContext } from '../source/source.ts';
import { LinkedAbortController } from '../util/linked-abort.ts';
import { waitFor } from '../util/wait-for.ts';
import { EngagedCluster } from './engaged-cluster.ts';
import { formatDuration, hangGraceMs, watchForHang } from './hung-reconcile-watch.ts';
import { type WatchClusters, watchesCluster } from './watch-clusters.ts';

/** Options for a {@link Controller}; every one has a default that suits most controllers. */
export interface ControllerOptions {
  /** Reconciles running at the same time, across all clusters (never two of one object). Default 1. */
  maxConcurrentReconciles?: number;
  /** Backoff for failed and `{ requeue: true }` reconciles. Default: the work queue's {@link defaultRateLimiter}. */
  rateLimiter?: RateLimiter;
  /**
   * How long a cluster's sources may take to sync before it is reported: {@link Controller.waitForCacheSync}
   * rejects, and the controller logs an error (and keeps waiting: reconciles of that cluster start once its
   * sources have synced). Default 120 s.
   */
  cacheSyncTimeoutMs?: number;
  /**
   * Aborts a reconcile's signal after this long. Default: no timeout. A reconcile that still has not settled
   * a grace period later (the timeout, at most 5 s) is hung: it ignores its signal. Its worker is then freed
   * for other keys while its key stays locked (never two reconciles of one object; adds meanwhile are
   * reconciled once it settles), a warning is logged (again at doubling intervals while it stays hung), and
   * `controller_runtime_hung_reconciles` counts it.
   */
  reconcileTimeoutMs?: number;
  /**
   * Catch reconcilers that throw something that is not an Error (Go's panic): count it as a panic and retry
   * with backoff. Default true. With false, such a throw stops the controller: {@link Controller.start}
   * rejects, which fails fast in tests and development.
   */
  recoverPanics?: boolean;
  /** On stop, how long in-flight reconciles may take to finish before their signal is aborted. Default 30 s. */
  gracefulShutdownMs?: number;
  /** Whether the manager runs this controller only on the elected leader. Default true. */
  needLeaderElection?: boolean;
  /**
   * Where the controller logs. Every line carries `controller` (plus `controllerGroup` and
   * `controllerKind` when `reconciles` is known); reconcile lines add `cluster`, `namespace`, `name` and
   * `reconcileID`, and errors go under `error`: the keys controller-runtime uses. Default: nothing is logged.
   */
  logger?: Logger;
  /**
   * The API group (`''` for the core group) and kind this controller reconciles, logged as
   * `controllerGroup` and `controllerKind` as controller-runtime does. `ControllerBuilder` sets it from
   * `for()`.
   */
  reconciles?: {
    /** API group of the reconciled kind; `''` for the core group. */
    group: string;
    /** The reconciled kind, e.g. `ConfigMap`. */
    kind: string;
  };
  /**
   * Where the controller reports reconciles and queue activity. Default: nowhere. Every finished reconcile
   * is reported with its cluster; whether that becomes a metric label is the implementation's choice.
   */
  metrics?: ControllerMetrics;
}

/** Options for {@link Controller.watch}. */
export interface WatchOptions {
  /** Which engaged clusters the source is started for. Default `'provider'` (see {@link WatchClusters}). */
  clusters?: WatchClusters;
}

/** A source and the clusters it applies to. */
interface Watch {
  readonly source: Source;
  readonly clusters: WatchClusters;
}

/** What a reconcile ended with: the reconciler's result, or what it threw. */
type Settled =
  | { readonly ok: true; readonly result: Result | void }
  | { readonly ok: false; readonly thrown: unknown };

const defaultCacheSyncTimeoutMs = 120_000;
/** How many unsynced clusters {@link Controller.notSyncedReason} names before it only counts the rest. */
const MAX_REPORTED_CLUSTERS = 3;
const defaultGracefulShutdownMs = 30_000;

/**
 * Reconciles objects of any number of clusters with one work queue and one pool of workers, so that
 * concurrency is bounded and fair however many clusters come and go.
 *
 * - It is {@link Aware}: each `engage(name, cluster, signal)` starts the controller's watches that apply to
 *   the cluster (see {@link WatchClusters}) and makes the cluster available to reconciles, until `signal`
 *   aborts. Then the watches are removed, the cluster is forgotten, and requests for it (queued, delayed or
 *   backing off) are dropped when their turn comes instead of failing forever. Engaging a cluster again
 *   replaces the earlier engagement; repeating the same engagement is a no-op.
 * - Requests of a cluster wait until that cluster's sources have synced, so a reconciler never mistakes a
 *   cache that is still filling for a cluster without objects (and creates duplicates).
 * - It is a runnable: {@link Controller.start} processes requests until its signal aborts, then lets
 *   in-flight reconciles finish (up to `gracefulShutdownMs`). Clusters may be engaged before and after
 *   start; requests queue up until then.
 *
 * A reconciler's outcome decides what happens next: nothing or `{}` → done; `{ requeueAfter }` → again
 * after that delay; `{ requeue: true }` → again with backoff; a thrown Error → again with backoff; a
 * {@link TerminalError} → logged, not retried; a {@link ClusterNotFoundError} for the request's cluster
 * → dropped (the cluster is gone). A thrown non-Error is a panic (see `recoverPanics`); nothing a reconciler
 * does can crash the process.
 */
export class Controller implements Aware {
  /** Unique among a manager's controllers; labels metrics and log lines. */
  readonly name: string;
  /** Whether the manager runs this controller only on the elected leader. */
  readonly needLeaderElection: boolean;
  readonly #reconciler: Reconciler;
  readonly #queue: WorkQueue<Request>;
  #log: Logger;
  #metrics: ControllerMetrics;
  /** The work queue's metrics: those of {@link #metrics}, looked up again when the manager hands its own. */
  #queueObserver: WorkQueueObserver | undefined;
  /** What was not given at construction and may come from the manager (see {@link useManagerDefaults}). */
  readonly #takesDefaults: { logger: boolean; metrics: boolean };
  readonly #concurrency: number;
  readonly #cacheSyncTimeoutMs: number;
  readonly #reconcileTimeoutMs: number | undefined;
  readonly #recoverPanics: boolean;
  readonly #gracefulShutdownMs: number;
  readonly #watches: Watch[] = [];
  readonly #engagements = new Map<ClusterName, EngagedCluster>();
  readonly #logBindings: Record<string, string>;
  #started = false;
  #stopping = false;
  #fatal: Error | undefined;
  #stop: (() => void) | undefined;

  /**
   * A controller named `name` (unique among a manager's controllers) calling `reconciler` for each request.
   * Add watches with {@link Controller.watch}, or let `ControllerBuilder` do it.
   */
  constructor(name: string, reconciler: Reconciler, options: ControllerOptions = {}) {
    if (!name.trim()) throw new TypeError('a controller needs a name (it labels its metrics and logs)');
    const concurrency = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(
        `controller ${name}: maxConcurrentReconciles must be an integer >= 1, got ${concurrency}`,
      );
    }
    if (options.reconcileTimeoutMs !== undefined && !(options.reconcileTimeoutMs > 0)) {
      throw new RangeError(
        `controller ${name}: reconcileTimeoutMs must be > 0, got ${options.reconcileTimeoutMs}`,
      );
    }
    this.name = name;
    this.#reconciler = reconciler;
    this.needLeaderElection = options.needLeaderElection ?? true;
    const reconciles = options.reconciles;
    this.#logBindings = reconciles
      ? { controller: name, controllerGroup: reconciles.group, controllerKind: reconciles.kind }
      : { controller: name };
    this.#log = (options.logger ?? silentLogger).child(this.#logBindings);
    this.#metrics = options.metrics ?? noopControllerMetrics;
    this.#takesDefaults = { logger: !options.logger, metrics: !options.metrics };
    this.#concurrency = concurrency;
    this.#cacheSyncTimeoutMs = options.cacheSyncTimeoutMs ?? defaultCacheSyncTimeoutMs;
    this.#reconcileTimeoutMs = options.reconcileTimeoutMs;
    this.#recoverPanics = options.recoverPanics ?? true;
    this.#gracefulShutdownMs = options.gracefulShutdownMs ?? defaultGracefulShutdownMs;
    this.#queueObserver = this.#metrics.workQueue(name);
    this.#queue = new WorkQueue<Request>({
      keyOf: requestKey,
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
      observer: {
        added: (key) => this.#queueObserver?.added?.(key),
        depthChanged: (depth) => this.#queueObserver?.depthChanged?.(depth),
        taken: (key, queuedMs) => this.#queueObserver?.taken?.(key, queuedMs),
        finished: (key, workMs) => this.#queueObserver?.finished?.(key, workMs),
        retried: (key) => this.#queueObserver?.retried?.(key),
      },
      onError: (error, context) =>
        this.#log.error({ err: error, key: context.key }, `work queue ${context.source} failed`),
    });
  }

  /**
   * Takes the manager's logger and controller metrics where none were given at construction (called by
   * `Manager.add`, so a controller needs no wiring to log and report). Ignored once the controller started.
   */
  useManagerDefaults(defaults: ManagerDefaults): void {
    if (this.#started) return;
    if (this.#takesDefaults.logger) this.#log = defaults.logger.child(this.#logBindings);
    if (this.#takesDefaults.metrics) {
      this.#metrics = defaults.metrics;
      this.#queueObserver = defaults.metrics.workQueue(this.name);
    }
    this.#takesDefaults.logger = false;
    this.#takesDefaults.metrics = false;
  }

  /**
   * Adds a watch: `source` is started for every engaged cluster `options.clusters` selects, now (for
   * clusters already engaged; a cluster where it cannot start is logged and keeps its other watches) and
   * on every later engagement.
   */
  watch(source: Source, options: WatchOptions = {}): void {
    const watch: Watch = { source, clusters: options.clusters ?? 'provider' };
    this.#watches.push(watch);
    for (const engagement of this.#engagements.values()) {
      if (!watchesCluster(watch.clusters, engagement.name)) continue;
      try {
        this.#startSource(engagement, watch);
      } catch (error) {
        this.#log.error(
          { cluster: engagement.name, source: source.description, err: error },
          'a new watch cannot start in an engaged cluster',
        );
        continue;
      }
      this.#awaitSync(engagement);
    }
  }

  /**
   * Starts working on a cluster until `signal` aborts (see the class description). Resolves once the
   * watches are registered, without waiting for them to sync. Rejects, leaving the cluster disengaged, if a
   * source cannot start (e.g. a resource the cluster cannot serve).
   */
  async engage(name: ClusterName, cluster: Cluster, signal: AbortSignal): Promise<void> {
    if (this.#stopping) {
      this.#log.debug({ cluster: name }, 'not engaging a cluster: the controller is stopping');
      return;
    }
    if (signal.aborted) return;
    const previous = this.#engagements.get(name);
    if (previous && previous.cluster === cluster && previous.providerSignal === signal) return;
    const engagement = new EngagedCluster(
      name,
      cluster,
      signal,
      this.#log.child({ cluster: name }),
      this.#engagementEnded,
    );
    if (previous) {
      for (const [key, request] of previous.takeDeferred()) engagement.defer(key, request);
      previous.end('the cluster was engaged again');
      this.#log.info({ cluster: name }, 'cluster engaged again; the earlier engagement is replaced');
    }
    this.#engagements.set(name, engagement);
    try {
      for (const watch of this.#watches) {
        if (watchesCluster(watch.clusters, name)) this.#startSource(engagement, watch);
      }
    } catch (error) {
      engagement.end('a source failed to start');
      throw new Error(
        `controller ${this.name}: cannot engage cluster "${name}": ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.#log.info({ cluster: name, sources: engagement.sources.length }, 'cluster engaged');
    this.#awaitSync(engagement);
  }

  /**
   * Queues a request by hand, e.g. from a webhook or a timer outside any watch. Requests for clusters that
   * are not engaged when their turn comes are dropped.
   */
  enqueue(request: Request): void {
    this.#queue.add(request);
  }

  /** The clusters currently engaged, in engagement order. */
  get engagedClusters(): ClusterName[] {
    return [...this.#engagements.keys()];
  }

  /** Whether every engaged cluster's sources have synced (for readiness checks). */
  get hasSynced(): boolean {
    for (const engagement of this.#engagements.values()) if (!engagement.synced) return false;
    return true;
  }

  /**
   * What the controller's caches still wait for, or undefined when every engaged cluster has synced: each
   * unsynced watch with its cluster and its last watch error, e.g. `Widget (example.io/v1) in cluster
   * root:a (last watch error: …)`. At most three clusters are named, then a count of the others.
   * The manager's `/readyz` reports it, so a controller that cannot sync says why at once.
   */
  notSyncedReason(): string | undefined {
    const reasons: string[] = [];
    let more = 0;
    for (const engagement of this.#engagements.values()) {
      const reason = engagement.notSyncedReason();
      if (reason === undefined) continue;
      if (reasons.length < MAX_REPORTED_CLUSTERS) reasons.push(reason);
      else more++;
    }
    if (reasons.length === 0) return undefined;
    return `${reasons.join('; ')}${more > 0 ? `; and ${more} more ${more === 1 ? 'cluster' : 'clusters'}` : ''}`;
  }

  /**
   * Resolves once every engaged cluster's sources have synced, including clusters engaged while waiting;
   * rejects after `cacheSyncTimeoutMs` naming what has not synced (see {@link Controller.notSyncedReason}),
   * or when `signal` aborts.
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await waitFor(() => this.hasSynced, {
      what: `controller ${this.name}: the watches of every engaged cluster to sync`,
      timeoutMs: this.#cacheSyncTimeoutMs,
      intervalMs: 50,
      describe: () => `not synced: ${this.notSyncedReason() ?? 'nothing'}`,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Processes requests until `signal` aborts, then stops taking new ones, waits up to `gracefulShutdownMs`
   * for in-flight reconciles (aborting their signal at the deadline) and ends every engagement. A controller
   * runs once. Rejects only when a panic stopped it (`recoverPanics: false`).
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started)
      throw new Error(`controller ${this.name}: start was called twice; a controller runs once`);
    this.#started = true;
    this.#metrics.maxConcurrentReconciles(this.name, this.#concurrency);
    const run = this.#queue.run((request, context) => this.#process(request, context), {
      concurrency: this.#concurrency,
    });
    const { promise: stopRequested, resolve: requestStop } = Promise.withResolvers<void>();
    this.#stop = requestStop;
    if (signal.aborted) requestStop();
    else signal.addEventListener('abort', () => requestStop(), { once: true });
    this.#log.info({ workers: this.#concurrency }, 'controller started');
    await stopRequested;

    this.#stopping = true;
    const drain = await this.#queue.shutdownWithDrain({ deadlineMs: this.#gracefulShutdownMs });
    if (drain.drained) {
      await run;
    } else {
      this.#log.warn(
        { unfinished: drain.unfinishedKeys, gracefulShutdownMs: this.#gracefulShutdownMs },
        'reconciles did not finish within the graceful shutdown period; their signal was aborted',
      );
      run.catch((error: unknown) => this.#log.error({ err: error }, 'worker loop failed after shutdown'));
    }
    // One reason for all: an Error (and its stack) per engaged cluster made stopping 100,000 of them slow.
    const stopped = new Error('the controller stopped');
    for (const engagement of this.#engagements.values()) engagement.end(stopped);
    this.#engagements.clear();
    this.#log.info('controller stopped');
    if (this.#fatal) throw this.#fatal;
  }

  /** An engagement ended (disengaged, replaced or the controller stopped): forget it and what it deferred. */
  readonly #engagementEnded = (engagement: EngagedCluster): void => {
    engagement.takeDeferred();
    if (this.#engagements.get(engagement.name) !== engagement) return;
    this.#engagements.delete(engagement.name);
    this.#log.info({ cluster: engagement.name }, 'cluster disengaged; its requests are dropped from now on');
  };

  /** What every source's requests go to (one function, not one per engagement). */
  readonly #enqueue = (request: Request): void => this.#queue.add(request);

  #startSource(engagement: EngagedCluster, watch: Watch): void {
    const sourceEngagement: SourceStartContext = {
      clusterName: engagement.name,
      cluster: engagement.cluster,
      signal: engagement.signal,
      log: engagement.log,
      enqueue: this.#enqueue,
    };
    engagement.addSource({
      description: watch.source.description,
      started: watch.source.start(sourceEngagement),
    });
  }

  /** Waits (once at a time per engagement) for its sources to sync, then requeues what was deferred. */
  #awaitSync(engagement: EngagedCluster): void {
    if (engagement.syncing) return;
    if (engagement.synced) {
      // The usual case once the shared informers run: nothing to wait for, so no promise or timer either.
      this.#requeueDeferred(engagement);
      return;
    }
    engagement.syncing = (async () => {
      for (;;) {
        const pending = engagement.sources.filter((source) => !source.started.hasSynced);
        if (pending.length === 0) break;
        try {
          await Promise.all(
            pending.map((source) =>
              source.started.waitForSync({
                signal: engagement.signal,
                timeoutMs: this.#cacheSyncTimeoutMs,
              }),
            ),
          );
        } catch (error) {
          if (engagement.signal.aborted) return;
          this.#log.error(
            { cluster: engagement.name, err: error },
            `the watches of a cluster have not synced within ${this.#cacheSyncTimeoutMs} ms: ${engagement.notSyncedReason() ?? 'they have just synced'}; its reconciles wait until they have`,
          );
        }
      }
      engagement.syncing = undefined;
      this.#requeueDeferred(engagement);
    })().catch((error: unknown) => {
      engagement.syncing = undefined;
      this.#log.error(
        { cluster: engagement.name, err: error },
        'waiting for the watches of a cluster failed',
      );
    });
  }

  #requeueDeferred(engagement: EngagedCluster): void {
    this.#log.debug({ cluster: engagement.name }, 'cluster watches synced');
    for (const [, request] of engagement.takeDeferred()) this.#queue.add(request);
  }

  async #process(request: Request, context: ProcessContext): Promise<void> {
    const engagement = this.#engagements.get(request.cluster);
    if (!engagement) {
      this.#queue.forget(request);
      this.#log.debug({ request: context.key }, 'dropping a request: its cluster is not engaged');
      return;
    }
    if (!engagement.synced) {
      engagement.defer(context.key, request);
      this.#awaitSync(engagement);
      return;
    }
    const reconcileID = randomUUID();
    const log = this.#log.child({
      cluster: request.cluster,
      namespace: request.namespace,
      name: request.name,
      reconcileID,
    });
    // Aborts with the run, with the engagement, or at the timeout; unlinked once the reconcile settles.
    const reconcileAbort = new LinkedAbortController(context.signal, engagement.signal);
    const { signal } = reconcileAbort;
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let endHangWatch: (() => void) | undefined;
    let hung = false;
    if (this.#reconcileTimeoutMs !== undefined) {
      const ms = this.#reconcileTimeoutMs;
      timer = setTimeout(() => {
        this.#metrics.reconcileTimeout(this.name);
        log.warn({ timeoutMs: ms }, 'reconcile timed out; its signal is aborted');
        reconcileAbort.abort(new DOMException(`reconcile timed out after ${ms} ms`, 'TimeoutError'));
        endHangWatch = watchForHang(startedAt, hangGraceMs(ms), {
          onHung: () => {
            hung = true;
            // The other keys go on; this key stays locked in the queue until the reconcile settles.
            context.releaseSlot();
            this.#metrics.activeWorkers(this.name, -1);
            this.#metrics.hungReconciles?.(this.name, 1);
          },
          warn: (elapsedMs) => {
            const runningMs = Math.round(elapsedMs);
            log.warn(
              { key: context.key, runningMs, timeoutMs: ms },
              `reconcile of ${context.key} in controller ${this.name} is hung: still running ${formatDuration(runningMs)} after it started, though its signal was aborted at the ${formatDuration(ms)} timeout; its worker is freed for other keys, and this key waits until the reconcile settles`,
            );
          },
        });
      }, ms);
    }
    this.#metrics.activeWorkers(this.name, 1);
    let settled: Settled;
    try {
      settled = {
        ok: true,
        result: await this.#reconciler(request, { cluster: engagement.cluster, signal, log, reconcileID }),
      };
    } catch (thrown) {
      settled = { ok: false, thrown };
    } finally {
      clearTimeout(timer);
      reconcileAbort.dispose();
      endHangWatch?.();
      if (hung) {
        this.#metrics.hungReconciles?.(this.name, -1);
        const runningMs = Math.round(performance.now() - startedAt);
        log.info(
          { key: context.key, runningMs },
          `the hung reconcile of ${context.key} settled after ${formatDuration(runningMs)}; its key is released`,
        );
      } else {
        this.#metrics.activeWorkers(this.name, -1);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const outcome = this.#settle(request, settled, log);
    this.#metrics.reconcileFinished(this.name, outcome, seconds, request.cluster);
  }

  /** Requeues (or not) according to how a reconcile ended; returns the outcome for metrics. */
  #settle(request: Request, settled: Settled, log: Logger): ReconcileOutcome {
    const stillEngaged = this.#engagements.has(request.cluster);
    if (settled.ok) {
      const result = settled.result ?? {};
      if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
        this.#queue.forget(request);
        if (stillEngaged) this.#queue.addAfter(request, result.requeueAfter);
        return 'requeue_after';
      }
      if (result.requeue) {
        if (stillEngaged) this.#queue.addRateLimited(request);
        else this.#queue.forget(request);
        return 'requeue';
      }
      this.#queue.forget(request);
      return 'success';
    }
    const { thrown } = settled;
    if (thrown instanceof ClusterNotFoundError && thrown.cluster === request.cluster) {
      this.#queue.forget(request);
      log.debug('the cluster is gone; the request is dropped');
      return 'success';
    }
    if (isTerminal(thrown)) {
      this.#queue.forget(request);
      this.#metrics.reconcileError(this.name, true);
      log.error({ err: thrown }, 'reconcile failed with a terminal error; not retried');
      return 'error';
    }
    this.#metrics.reconcileError(this.name, false);
    if (!(thrown instanceof Error)) {
      this.#metrics.reconcilePanic(this.name);
      if (!this.#recoverPanics) {
        this.#fatal ??= new Error(
          `controller ${this.name}: the reconcile of ${requestKey(request)} threw a non-Error (${describe(thrown)}) and recoverPanics is false; the controller stops`,
          { cause: thrown },
        );
        log.error({ thrown: describe(thrown) }, 'reconcile panicked; stopping the controller');
        this.#stop?.();
        return 'error';
      }
      log.error(
        { thrown: describe(thrown) },
        'reconcile panicked (threw a non-Error); retrying with backoff',
      );
    } else if (!stillEngaged) {
      log.debug({ err: thrown }, 'reconcile failed after its cluster was disengaged; not retried');
    } else {
      log.error({ err: thrown }, 'reconcile failed; retrying with backoff');
    }
    if (stillEngaged) this.#queue.addRateLimited(request);
    else this.#queue.forget(request);
    return 'error';
  }
}

/** A TerminalError, also one from another copy of kubeloom (recognised by name). */
function isTerminal(thrown: unknown): boolean {
  return thrown instanceof TerminalError || (thrown instanceof Error && thrown.name === 'TerminalError');
}

/** A short, safe description of a thrown non-Error for logs. */
function describe(thrown: unknown): string {
  if (typeof thrown === 'string') {
    return JSON.stringify(thrown.length > 200 ? `${thrown.slice(0, 200)}…` : thrown);
  }
  if (typeof thrown === 'number' || typeof thrown === 'boolean' || typeof thrown === 'bigint') {
    return `${typeof thrown} ${thrown.toString()}`;
  }
  if (typeof thrown === 'symbol') return thrown.toString();
  if (typeof thrown === 'function') return 'a function';
  if (thrown === undefined || thrown === null) return String(thrown);
  return `an object (${Object.prototype.toString.call(thrown)})`;
}
