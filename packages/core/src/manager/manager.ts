import type { AddressInfo } from 'node:net';
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
import { parseBindAddress } from './bind-address.ts';
import { ClusterFanOut } from './cluster-fan-out.ts';
import type { HealthCheck } from './health-checks.ts';
import { Leadership } from './leadership.ts';
import { ManagerEndpoints, formatAddress } from './manager-endpoints.ts';
import type { ManagerOptions } from './manager-options.ts';
import { ManagerReadiness, type ManagerState } from './readiness.ts';
import { type Runnable, runnableName } from './runnable.ts';
import { RunnableRuns } from './runnable-runs.ts';
import { shutDownGracefully, settleBy } from './shutdown.ts';
import { type ShutdownSignalOptions, installShutdownSignalHandlers } from './signal-handlers.ts';

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
 * Each job has its own piece: {@link ManagerEndpoints} (HTTP), {@link RunnableRuns} (runnable
 * lifecycle), {@link ManagerReadiness}, {@link Leadership} and {@link shutDownGracefully}; this class
 * wires them together and is the `Aware` providers engage through.
 *
 * ```ts
 * const manager = new Manager({ provider, healthProbeBindAddress: ':8081', metricsBindAddress: ':8080' });
 * manager.add(controller); // logs through manager.logger and reports to manager.controllerMetrics unless given its own
 * manager.installSignalHandlers();
 * await manager.start();
 * ```
 */
export class Manager implements Aware {
  /** The root logger; controllers added without a logger of their own log through it. */
  readonly logger: Logger;
  /** The registry `/metrics` serves; register your own metrics here. */
  readonly registry: Registry;
  /** Controller metrics under controller-runtime's names; controllers added without metrics of their own report here. */
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
  readonly #engagements: ClusterFanOut;
  readonly #runs: RunnableRuns;
  readonly #endpoints: ManagerEndpoints;
  readonly #readiness: ManagerReadiness;
  readonly #leadership: Leadership;
  readonly #metrics: ManagerMetrics;
  readonly #startedSignal = Promise.withResolvers<void>();
  readonly #stopRequested = Promise.withResolvers<void>();
  readonly #stopped = Promise.withResolvers<void>();
  readonly #localLifetime = new AbortController();
  /** Whether the manager built the local cluster's client (from a kubeconfig) and so closes its connections. */
  #ownsLocalClient = false;
  readonly #providerLifetime = new AbortController();
  readonly #gracefulShutdownMs: number;
  #state: ManagerState = 'new';
  #providerRun: Promise<void> | undefined;
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
    this.#endpoints = new ManagerEndpoints({
      logger: this.logger,
      registry: this.registry,
      probeBind: parseBindAddress(options.healthProbeBindAddress, 'healthProbeBindAddress'),
      metricsBind: parseBindAddress(options.metricsBindAddress, 'metricsBindAddress'),
    });
    this.provider = options.provider;
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

    this.#engagements = new ClusterFanOut({
      logger: this.logger,
      onCountChanged: (count) =>
        this.#metrics.engagedClusters(this.#engagements?.get('') === undefined ? count : count - 1),
      onDisengaged: (name) => {
        if (name !== '') this.logger.info({ cluster: name }, 'cluster disengaged');
      },
      ...(options.engageRetryDelayMs !== undefined
        ? { initialRetryDelayMs: options.engageRetryDelayMs }
        : {}),
    });
    this.#runs = new RunnableRuns({
      logger: this.logger,
      engagements: this.#engagements,
      onFailure: (error, what) => this.#fail(error, what),
    });
    this.#leadership = new Leadership({
      client: this.localCluster.client,
      election: options.leaderElection,
      logger: this.logger,
      onStatus: (leaseName, leading) => this.#metrics.leaderStatus(leaseName, leading),
      mayLead: () => this.#state === 'running',
      onElected: () => this.#runs.startAll(true),
      onLost: () => this.#leadershipLost(),
    });
    this.elected = this.#leadership.elected;
    this.#readiness = new ManagerReadiness({
      logger: this.logger,
      provider: this.provider,
      engagements: this.#engagements,
      runs: this.#runs,
      state: () => this.#state,
      stopRequested: this.#stopRequested.promise,
    });

    this.#endpoints.healthz.add('ping', () => true);
    this.#endpoints.readyz.add('manager', () => {
      const reason = this.#readiness.notReadyReason();
      if (reason) throw new Error(reason);
    });
  }

  /** Whether this replica may do leader-only work now (always, once started, when leader election is off). */
  get isLeader(): boolean {
    return this.#leadership.leading;
  }

  /** The identity in the Lease, when leader election is on. */
  get identity(): string | undefined {
    return this.#leadership.elector?.identity;
  }

  /** What `/readyz` reports: the provider's initial clusters are engaged and every runnable's caches synced. */
  get ready(): boolean {
    return this.#readiness.notReadyReason() === undefined;
  }

  /** The address `/healthz` and `/readyz` are served on, once listening. */
  get healthProbeAddress(): AddressInfo | undefined {
    return this.#endpoints.healthProbeAddress;
  }

  /** The address `/metrics` is served on, once listening. */
  get metricsAddress(): AddressInfo | undefined {
    return this.#endpoints.metricsAddress;
  }

  /**
   * Adds a runnable. Before start it is started with the manager; while running it starts at once (or when
   * this replica is elected, if it needs leader election), and a cluster-aware one is engaged with every
   * cluster engaged so far. A runnable that takes them (a controller) gets the manager's {@link logger}
   * and {@link controllerMetrics} where it was not given its own.
   */
  add(runnable: Runnable): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new Error(`cannot add ${runnableName(runnable)}: the manager is shutting down`);
    }
    runnable.useManagerDefaults?.({ logger: this.logger, metrics: this.controllerMetrics });
    const entry = this.#runs.add(runnable, (runnable.needLeaderElection ?? true) && this.#leadership.enabled);
    if (this.#state === 'running' && (!entry.leaderOnly || this.#leadership.leading)) this.#runs.start(entry);
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
    this.#endpoints.healthz.add(name, check);
  }

  /** Adds a readiness check to `/readyz`. */
  addReadyzCheck(name: string, check: HealthCheck): void {
    this.#endpoints.readyz.add(name, check);
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
      await this.#endpoints.listen();
      this.#engagements.engage('', this.localCluster, this.#localLifetime.signal);
      this.#startProvider();
      this.#runs.startAll(false);
      this.#leadership.begin();
      void this.#readiness.trackStartup();
      const elector = this.#leadership.elector;
      this.logger.info(
        {
          healthProbeAddress: formatAddress(this.healthProbeAddress),
          metricsAddress: formatAddress(this.metricsAddress),
          leaderElection: elector ? `${elector.leaseNamespace}/${elector.leaseName}` : false,
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

  #leadershipLost(): void {
    this.#runs.abortLeaderOnly(new Error('leadership lost'));
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

  #fail(error: unknown, what: string): void {
    this.logger.error({ err: error }, `${what}; shutting the manager down`);
    this.#fatal ??= { error };
    void this.stop();
  }

  async #shutdown(): Promise<void> {
    this.#state = 'stopping';
    await shutDownGracefully(
      {
        log: this.logger,
        drainRunnables: (deadline) => this.#runs.drain(deadline),
        stopClusters: async (deadline) => {
          this.#providerLifetime.abort(new Error('the manager is shutting down'));
          this.#localLifetime.abort(new Error('the manager is shutting down'));
          await settleBy([this.#providerRun], deadline);
        },
        endEngagements: () => this.#engagements.close(),
        releaseLeadership: () => this.#leadership.end(),
        closeConnections: async () => {
          await this.#endpoints.close();
          // A client the caller passed in shares its connection pool with every client derived from it: not ours to close.
          if (this.#ownsLocalClient) await this.localCluster.client.rest.pool.close().catch(() => {});
        },
        flushLogs: () => flushLogger(this.logger),
      },
      this.#gracefulShutdownMs,
    );
    this.#state = 'stopped';
    this.#stopped.resolve();
  }
}
