import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import {
  type Aware,
  type Cluster,
  type ClusterName,
  ClusterNotFoundError,
  type IndexExtractor,
  type Provider,
} from '../cluster/cluster.ts';
import { isCluster, newCluster } from '../cluster/new-cluster.ts';
import { flushLogger } from '../log/flush-logger.ts';
import { JsonLogger } from '../log/json-logger.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { ManagerMetrics } from '../metrics/manager-metrics.ts';
import { newMetricsRegistry } from '../metrics/metrics-registry.ts';
import { PrometheusControllerMetrics } from '../metrics/prometheus-controller-metrics.ts';
import { type BindAddress, parseBindAddress, sameBindAddress } from './bind-address.ts';
import { ClusterEngagements } from './cluster-engagements.ts';
import { type HealthCheck, HealthChecks } from './health-checks.ts';
import { type EndpointHandler, HttpEndpoints } from './http-endpoints.ts';
import { type ElectionOutcome, LeaderElector } from './leader-elector.ts';
import type { ManagerOptions } from './manager-options.ts';
import { type Runnable, isCacheSyncing, isClusterAware, runnableName } from './runnable.ts';
import { type ShutdownSignalOptions, installShutdownSignalHandlers } from './signal-handlers.ts';

type State = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * Least time between two waits for a runnable's caches: a wait that failed sooner (its own timeout is
 * short, or it failed at once) is retried after the rest of this, so that a failing wait cannot spin.
 */
const SYNC_RETRY_MS = 5000;

/** How often the startup check looks whether the manager has become ready once the caches synced. */
const READY_POLL_MS = 200;

/** One run of a runnable (a leader-only runnable runs at most once per manager). */
interface Run {
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

interface RunnableEntry {
  readonly runnable: Runnable;
  readonly name: string;
  readonly leaderOnly: boolean;
  run: Run | undefined;
}

/**
 * Runs controllers across clusters: the Node counterpart of multicluster-runtime's manager.
 *
 * - **Clusters.** The local cluster (`''`, from a kubeconfig or client) and the provider's clusters are
 *   engaged into every cluster-aware runnable (controllers). The manager is the `Aware` a provider engages
 *   through; engagements are queued and fanned out asynchronously, one independent engagement per
 *   (runnable, cluster), and runnables added while running get every cluster engaged so far.
 * - **Leader election** on a Lease in the local cluster: leader-only runnables start when this replica is
 *   elected and are aborted when leadership is lost. Providers and informers run on every replica, so a
 *   standby is warm and ready.
 * - **Operations.** `/healthz`, `/readyz` (ready once the provider's initial clusters are engaged and every
 *   controller's caches synced; not ready while shutting down) and `/metrics` (controller-runtime's metric
 *   names, per-manager registry); a JSON logger; graceful shutdown on SIGTERM/SIGINT.
 *
 * ```ts
 * const manager = new Manager({ provider, healthProbeBindAddress: ':8081', metricsBindAddress: ':8080' });
 * manager.add(controller); // built with { logger: manager.logger, metrics: manager.controllerMetrics }
 * manager.installSignalHandlers();
 * await manager.start();
 * ```
 */
export class Manager implements Aware {
  /** The root logger; pass it to controllers (they add their own bindings). */
  readonly logger: Logger;
  /** The registry `/metrics` serves; register your own metrics here. */
  readonly registry: Registry;
  /** Controller metrics under controller-runtime's names; pass them to controllers. */
  readonly controllerMetrics: ControllerMetrics;
  /** Whether reconcile metrics carry a `cluster` label; tell controllers, so that they pass the cluster. */
  readonly metricsClusterLabel: boolean;
  /** The local cluster, name `''`. */
  readonly localCluster: Cluster;
  /** The provider given at construction. */
  readonly provider: Provider | undefined;
  /** Resolves when this replica becomes leader (at start when leader election is off). Never rejects. */
  readonly elected: Promise<void>;
  /** Resolves once `start` has set everything up (servers listening, runnables launched) or given up. */
  readonly started: Promise<void>;

  readonly #options: ManagerOptions;
  readonly #runnables: RunnableEntry[] = [];
  readonly #engagements: ClusterEngagements;
  readonly #metrics: ManagerMetrics;
  readonly #elector: LeaderElector | undefined;
  readonly #electedSignal = Promise.withResolvers<void>();
  readonly #startedSignal = Promise.withResolvers<void>();
  readonly #stopRequested = Promise.withResolvers<void>();
  readonly #stopped = Promise.withResolvers<void>();
  readonly #localLifetime = new AbortController();
  /** Whether the manager built the local cluster's client (from a kubeconfig) and so closes its connections. */
  #ownsLocalClient = false;
  readonly #providerLifetime = new AbortController();
  readonly #electorLifetime = new AbortController();
  readonly #healthz = new HealthChecks('healthz');
  readonly #readyz = new HealthChecks('readyz');
  readonly #probeBind: BindAddress | undefined;
  readonly #metricsBind: BindAddress | undefined;
  readonly #gracefulShutdownMs: number;
  #state: State = 'new';
  #probeServer: HttpEndpoints | undefined;
  #metricsServer: HttpEndpoints | undefined;
  #isLeader = false;
  #initialSyncDone = false;
  /** The startup phase readiness waits for; undefined once it waits for the controllers' caches. */
  #waitingFor: string | undefined = 'the manager to start';
  #providerRun: Promise<void> | undefined;
  #electorRun: Promise<ElectionOutcome> | undefined;
  #fatal: { error: unknown } | undefined;

  constructor(options: ManagerOptions = {}) {
    this.#options = options;
    this.logger = options.logger ?? new JsonLogger();
    this.registry =
      options.registry ?? newMetricsRegistry({ defaultMetrics: options.defaultMetrics ?? true });
    this.metricsClusterLabel = options.metricsClusterLabel ?? false;
    this.controllerMetrics = new PrometheusControllerMetrics(this.registry, {
      clusterLabel: this.metricsClusterLabel,
    });
    this.#metrics = new ManagerMetrics(this.registry);
    this.provider?.registerMetrics?.(this.registry);
    this.#gracefulShutdownMs = options.gracefulShutdownMs ?? 30_000;
    this.#probeBind = parseBindAddress(options.healthProbeBindAddress, 'healthProbeBindAddress');
    this.#metricsBind = parseBindAddress(options.metricsBindAddress, 'metricsBindAddress');
    this.provider = options.provider;
    this.elected = this.#electedSignal.promise;
    this.started = this.#startedSignal.promise;

    const local = options.local;
    if (isCluster(local)) {
      this.localCluster = local;
    } else {
      this.#ownsLocalClient = !(local instanceof Client);
      const client = local instanceof Client ? local : Client.fromKubeConfig(local ?? {});
      this.localCluster = newCluster('', client, {
        signal: this.#localLifetime.signal,
        logger: this.logger,
        ...(options.informerOptions ? { informerOptions: options.informerOptions } : {}),
        ...(options.eventComponent ? { eventComponent: options.eventComponent } : {}),
      });
    }

    this.#engagements = new ClusterEngagements({
      logger: this.logger,
      onCountChanged: (count) =>
        this.#metrics.engagedClusters(this.#engagements?.get('') === undefined ? count : count - 1),
      ...(options.engageRetryDelayMs !== undefined
        ? { initialRetryDelayMs: options.engageRetryDelayMs }
        : {}),
    });

    const election = options.leaderElection;
    if (election && (election.enabled ?? true)) {
      this.#elector = new LeaderElector(this.localCluster.client, {
        ...election,
        logger: this.logger,
        onStatus: (leading) => this.#metrics.leaderStatus(election.leaseName, leading),
        onStartedLeading: () => this.#becomeLeader(),
        onStoppedLeading: () => this.#leadershipLost(),
      });
      this.#metrics.leaderStatus(election.leaseName, false);
    }

    this.#healthz.add('ping', () => true);
    this.#readyz.add('manager', () => {
      const reason = this.#notReadyReason();
      if (reason) throw new Error(reason);
    });
  }

  /** Whether this replica may do leader-only work now (always, once started, when leader election is off). */
  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** The identity in the Lease, when leader election is on. */
  get identity(): string | undefined {
    return this.#elector?.identity;
  }

  /** What `/readyz` reports: the provider's initial clusters are engaged and every runnable's caches synced. */
  get ready(): boolean {
    return this.#notReadyReason() === undefined;
  }

  /** The address `/healthz` and `/readyz` are served on, once listening. */
  get healthProbeAddress(): AddressInfo | undefined {
    return this.#probeServer?.address;
  }

  /** The address `/metrics` is served on, once listening. */
  get metricsAddress(): AddressInfo | undefined {
    return (
      this.#metricsServer ??
      (sameBindAddress(this.#probeBind, this.#metricsBind) ? this.#probeServer : undefined)
    )?.address;
  }

  /**
   * Adds a runnable. Before start it is started with the manager; while running it starts at once (or when
   * this replica is elected, if it needs leader election), and a cluster-aware one is engaged with every
   * cluster engaged so far.
   */
  add(runnable: Runnable): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new Error(`cannot add ${runnableName(runnable)}: the manager is shutting down`);
    }
    const entry: RunnableEntry = {
      runnable,
      name: runnableName(runnable),
      leaderOnly: (runnable.needLeaderElection ?? true) && this.#elector !== undefined,
      run: undefined,
    };
    this.#runnables.push(entry);
    if (this.#state === 'running' && (!entry.leaderOnly || this.#isLeader)) this.#startRunnable(entry);
  }

  /**
   * The `Aware` side, called by the provider: records the cluster and queues its engagement into every
   * cluster-aware runnable. Resolves at once; engagement failures are logged and retried.
   */
  async engage(name: ClusterName, cluster: Cluster, signal: AbortSignal): Promise<void> {
    if (name === '') {
      this.logger.error(
        'a provider engaged a cluster named "", which is reserved for the local cluster; ignored',
      );
      return;
    }
    if (this.#state !== 'running' || signal.aborted) return;
    const known = this.#engagements.get(name) !== undefined;
    this.#engagements.engage(name, cluster, signal);
    this.logger.info({ cluster: name }, known ? 'cluster re-engaged' : 'cluster engaged');
    signal.addEventListener('abort', () => this.logger.info({ cluster: name }, 'cluster disengaged'), {
      once: true,
    });
  }

  /** The engaged cluster of that name (`''`: the local cluster); throws {@link ClusterNotFoundError} otherwise. */
  async getCluster(name: ClusterName): Promise<Cluster> {
    if (name === '') return this.localCluster;
    const cluster = this.#engagements.get(name);
    if (!cluster) throw new ClusterNotFoundError(name);
    return cluster;
  }

  /** Names of the engaged provider clusters (not the local one), sorted. */
  clusterNames(): ClusterName[] {
    return this.#engagements.names().filter((name) => name !== '');
  }

  /** Adds a field index to the local cluster and, through the provider, to every current and future cluster. */
  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    const cache = this.localCluster.cache as { indexField?: unknown };
    if (typeof cache.indexField === 'function') {
      (cache.indexField as (r: ResourceDescriptor<T>, n: string, e: IndexExtractor<T>) => void).call(
        this.localCluster.cache,
        resource,
        name,
        extract,
      );
    }
    await this.provider?.indexField?.(resource, name, extract);
  }

  /** Adds a liveness check to `/healthz`. Keep it about this process: never fail liveness on an API server outage. */
  addHealthzCheck(name: string, check: HealthCheck): void {
    this.#healthz.add(name, check);
  }

  /** Adds a readiness check to `/readyz`. */
  addReadyzCheck(name: string, check: HealthCheck): void {
    this.#readyz.add(name, check);
  }

  /**
   * Runs until `signal` aborts or {@link stop} is called, then shuts down gracefully: readiness off, runnables
   * aborted and awaited (up to `gracefulShutdownMs`), provider and local cluster stopped, Lease released,
   * servers and connections closed, logs flushed. Resolves when shutdown is complete; rejects with the error
   * of a runnable or provider that failed (after shutting down), or if a server cannot listen.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#state !== 'new') throw new Error(`a Manager can be started once (it is ${this.#state})`);
    this.#state = 'running';
    const onAbort = (): void => void this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#listen();
      this.#engagements.engage('', this.localCluster, this.#localLifetime.signal);
      this.#startProvider();
      for (const entry of this.#runnables) if (!entry.leaderOnly && !entry.run) this.#startRunnable(entry);
      if (this.#elector) this.#campaign(this.#elector);
      else this.#becomeLeader();
      void this.#trackInitialReadiness();
      this.logger.info(
        {
          healthProbeAddress: formatAddress(this.healthProbeAddress),
          metricsAddress: formatAddress(this.metricsAddress),
          leaderElection: this.#elector
            ? `${this.#elector.leaseNamespace}/${this.#elector.leaseName}`
            : false,
        },
        'manager started',
      );
    } catch (error) {
      this.#fail(error, 'starting the manager failed');
    }
    if (signal?.aborted) void this.stop();
    this.#startedSignal.resolve();
    await this.#stopRequested.promise;
    await this.#shutdown();
    signal?.removeEventListener('abort', onAbort);
    if (this.#fatal) throw this.#fatal.error;
  }

  /** Starts a graceful shutdown (see {@link start}); resolves when it is complete. Safe to call repeatedly. */
  stop(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      this.#localLifetime.abort();
      this.#stopped.resolve();
    }
    this.#stopRequested.resolve();
    return this.#stopped.promise;
  }

  /**
   * SIGTERM and SIGINT start a graceful shutdown; a second signal exits at once with code 1. Returns a
   * function that removes the handlers.
   */
  installSignalHandlers(options: Omit<ShutdownSignalOptions, 'logger'> = {}): () => void {
    return installShutdownSignalHandlers(() => void this.stop(), { ...options, logger: this.logger });
  }

  #notReadyReason(): string | undefined {
    if (this.#state === 'new') return 'the manager has not started';
    if (this.#state !== 'running') return 'the manager is shutting down';
    const providerReason = this.provider?.notReadyReason?.();
    if (providerReason) return `the provider is not ready: ${providerReason}`;
    if (this.#waitingFor !== undefined) return `waiting for ${this.#waitingFor}`;
    const unsynced = this.#runnables
      .filter((e) => e.run && !e.run.finished && !e.run.synced)
      .map((e) => `waiting for the caches of controller ${e.name} to sync${this.#syncDetail(e)}`);
    if (unsynced.length > 0) return unsynced.join('; ');
    if (!this.#initialSyncDone) return 'waiting for the caches of the controllers to sync';
    return undefined;
  }

  /** `: <what the runnable's caches wait for>`, or `''` when it cannot tell. */
  #syncDetail(entry: RunnableEntry): string {
    const { runnable } = entry;
    if (!isCacheSyncing(runnable)) return '';
    let detail: string | undefined;
    try {
      detail = runnable.notSyncedReason?.();
    } catch (error) {
      this.logger.debug({ runnable: entry.name, err: error }, 'notSyncedReason threw');
    }
    return detail ? `: ${detail}` : '';
  }

  async #listen(): Promise<void> {
    const shared = sameBindAddress(this.#probeBind, this.#metricsBind);
    const metrics: EndpointHandler = async (_url, _req, res) => {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(body);
    };
    if (this.#probeBind) {
      const server = new HttpEndpoints(this.logger);
      server.route('/healthz', this.#healthHandler(this.#healthz));
      server.route('/livez', this.#healthHandler(this.#healthz));
      server.route('/readyz', this.#healthHandler(this.#readyz));
      if (shared) server.route('/metrics', metrics);
      this.#probeServer = server;
      await server.listen(this.#probeBind);
    }
    if (this.#metricsBind && !shared) {
      const server = new HttpEndpoints(this.logger);
      server.route('/metrics', metrics);
      this.#metricsServer = server;
      await server.listen(this.#metricsBind);
    }
  }

  #healthHandler(checks: HealthChecks): EndpointHandler {
    return async (url, _req, res) => {
      const report = await checks.run();
      const verbose = url.searchParams.has('verbose') || !report.ok;
      res
        .writeHead(report.ok ? 200 : 503, {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        })
        .end(verbose ? `${report.lines.join('\n')}\n` : 'ok');
    };
  }

  #startProvider(): void {
    const provider = this.provider;
    if (!provider?.start) return;
    const signal = this.#providerLifetime.signal;
    this.#providerRun = (async () => {
      try {
        await provider.start?.(this, signal);
      } catch (error) {
        if (!signal.aborted) this.#fail(error, 'the provider failed');
      }
    })();
  }

  #campaign(elector: LeaderElector): void {
    this.#electorRun = elector.run(this.#electorLifetime.signal);
  }

  #becomeLeader(): void {
    if (this.#state !== 'running') return;
    this.#isLeader = true;
    this.#electedSignal.resolve();
    for (const entry of this.#runnables) if (entry.leaderOnly && !entry.run) this.#startRunnable(entry);
  }

  #leadershipLost(): void {
    this.#isLeader = false;
    for (const entry of this.#runnables) {
      if (entry.leaderOnly) {
        entry.run?.controller.abort(new Error('leadership lost'));
        // No graceful drain without leadership: another replica may already be reconciling.
        entry.run?.engagements.abort(new Error('leadership lost'));
      }
    }
    const handler =
      this.#options.onLeadershipLost ??
      ((manager: Manager) => {
        manager.logger.error('leadership lost: stopping the manager; the process will exit with code 1');
        process.exitCode = 1;
        void manager.stop();
      });
    try {
      handler(this);
    } catch (error) {
      this.logger.error({ err: error }, 'onLeadershipLost threw');
    }
  }

  #startRunnable(entry: RunnableEntry): void {
    const { runnable } = entry;
    const controller = new AbortController();
    const log = this.logger.child({ runnable: entry.name });
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
        if (!controller.signal.aborted) this.#fail(error, `runnable ${entry.name} failed`);
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
      ? this.#engagements.attach(runnable, entry.name, engagements.signal)
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

  /** Readiness at startup: provider's initial set engaged, its fan-out done, then every runnable's caches synced. */
  async #trackInitialReadiness(): Promise<void> {
    const stopping = this.#stopRequested.promise.then(() => 'stopping' as const);
    const ready = this.provider?.ready;
    if (ready) {
      this.#waitingFor = "the provider's initial clusters";
      const outcome = await Promise.race([
        ready.then(
          () => 'done' as const,
          (error: unknown) => {
            this.logger.error({ err: error }, "the provider's readiness failed; continuing without it");
            return 'done' as const;
          },
        ),
        stopping,
      ]);
      if (outcome === 'stopping') return;
    }
    this.#waitingFor = 'clusters to be engaged into the controllers';
    if ((await Promise.race([this.#engagements.idle().then(() => 'done' as const), stopping])) === 'stopping')
      return;
    this.#waitingFor = undefined;
    // Only caches that really synced count: a runnable's sync that timed out is retried (see #startRunnable)
    // and keeps readiness off meanwhile. Runnables added while waiting are waited for too.
    for (;;) {
      const pending = this.#runnables.flatMap((e) =>
        e.run && !e.run.synced && !e.run.finished ? [e.run] : [],
      );
      if (pending.length === 0) break;
      const synced = Promise.all(pending.map((run) => run.syncedOrFinished.promise));
      if ((await Promise.race([synced.then(() => 'done' as const), stopping])) === 'stopping') return;
    }
    this.#initialSyncDone = true;
    // A provider may still hold readiness off with a reason of its own: announce readiness when it is real.
    while (this.#state === 'running' && !this.ready) {
      await Promise.race([sleep(READY_POLL_MS), stopping]);
    }
    if (this.#state !== 'running') return;
    this.logger.info({ clusters: this.#engagements.size - 1 }, 'manager is ready');
  }

  #fail(error: unknown, what: string): void {
    this.logger.error({ err: error }, `${what}; shutting the manager down`);
    this.#fatal ??= { error };
    void this.stop();
  }

  async #shutdown(): Promise<void> {
    this.#state = 'stopping';
    this.logger.info('shutting down');
    const deadline = Date.now() + this.#gracefulShutdownMs;
    const runs = this.#runnables.filter((e) => e.run !== undefined);
    for (const entry of runs) entry.run?.controller.abort(new Error('the manager is shutting down'));
    const drained = await settleBy(
      runs.map((e) => e.run?.done),
      deadline,
    );
    if (!drained) {
      const left = runs.filter((e) => !e.run?.finished).map((e) => e.name);
      this.logger.warn(
        { runnables: left },
        `runnables did not finish within ${this.#gracefulShutdownMs} ms: ${left.join(', ')}; shutting down anyway`,
      );
    }
    this.#providerLifetime.abort(new Error('the manager is shutting down'));
    this.#localLifetime.abort(new Error('the manager is shutting down'));
    await settleBy([this.#providerRun], Math.max(deadline, Date.now() + 1000));
    this.#engagements.close();
    this.#electorLifetime.abort();
    if (this.#electorRun) await this.#electorRun;
    this.#isLeader = false;
    await Promise.allSettled([this.#probeServer?.close(), this.#metricsServer?.close()]);
    // A client the caller passed in shares its connection pool with every client derived from it: not ours to close.
    if (this.#ownsLocalClient) await this.localCluster.client.rest.pool.close().catch(() => {});
    this.logger.info('shutdown complete');
    await flushLogger(this.logger);
    this.#state = 'stopped';
    this.#stopped.resolve();
  }
}

/** Waits for every promise to settle or for `deadline` (epoch ms); true if all settled in time. */
async function settleBy(
  promises: ReadonlyArray<Promise<unknown> | undefined>,
  deadline: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(promises.filter((p) => p !== undefined)).then(() => true);
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([all, late]);
  } finally {
    clearTimeout(timer);
  }
}

function formatAddress(address: AddressInfo | undefined): string | undefined {
  if (!address) return undefined;
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
