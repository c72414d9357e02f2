import type { Registry } from 'prom-client';
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
import { type Logger, silentLogger } from '../log/logger.ts';
import { LinkedAbortController } from '../util/linked-abort.ts';
import type { Reconciler } from '../reconcile/request.ts';
import { bucketOf } from './rendezvous.ts';
import { ShardCoordinator, type ShardingOptions } from './shard-coordinator.ts';
import { ShardingMetrics } from './sharding-metrics.ts';

/** Options for {@link ShardedProvider}. */
export interface ShardedProviderOptions extends ShardingOptions {
  /** Register the sharding metrics here. The manager passes its own registry when given this provider. */
  registry?: Registry;
}

/** A cluster the inner provider engaged, and what this replica does with it. */
interface KnownCluster {
  readonly cluster: Cluster;
  /** The inner provider's engagement signal. */
  readonly signal: AbortSignal;
  readonly bucket: number;
  /** Set while this replica engages the cluster into the manager. */
  engagement?: AbortController | undefined;
}

/**
 * Spreads any provider's clusters over the replicas of a controller: every replica runs the inner provider
 * (which discovers all clusters), and engages into its manager only the clusters whose bucket Lease it
 * holds (see {@link ShardCoordinator}). Give it to the manager as its provider, mark the controllers that
 * reconcile provider clusters `needLeaderElection: false`, and wrap their reconcilers with {@link fence}:
 *
 * ```ts
 * const sharded = new ShardedProvider(new APIExportProvider({...}), { client, identity: process.env.POD_NAME });
 * const manager = new Manager({ provider: sharded, leaderElection: {...} }); // leader-only runnables still work
 * manager.add(new ControllerBuilder('widgets').for(WidgetResource)
 *   .withOptions({ needLeaderElection: false }).build(sharded.fence(reconcile)));
 * ```
 *
 * When a bucket moves away, its clusters' engagements are aborted (their reconciles see their signal
 * abort), the replica waits for their in-flight reconciles to finish, and only then releases the Lease; the
 * next owner engages them once it holds the Lease. {@link fence} also refuses to start a reconcile of a
 * cluster whose bucket this replica does not hold, so a request queued just before a handover is dropped
 * rather than run twice.
 */
export class ShardedProvider implements Provider {
  /** The provider whose clusters are shared out. */
  readonly inner: Provider;
  /** Decides which buckets (and so which workspaces) this replica owns. */
  readonly coordinator: ShardCoordinator;
  readonly #known = new Map<ClusterName, KnownCluster>();
  /** Reconciles running now, per cluster (counted by {@link ShardedProvider.fence}). */
  readonly #inFlight = new Map<ClusterName, number>();
  readonly #drainWaiters = new Map<ClusterName, Array<() => void>>();
  readonly #logger: Logger;
  #metrics: ShardingMetrics | undefined;
  #aware: Aware | undefined;

  constructor(inner: Provider, options: ShardedProviderOptions) {
    this.inner = inner;
    this.#logger = (options.logger ?? silentLogger).child({ replica: options.identity });
    this.coordinator = new ShardCoordinator(options, {
      load: () => this.#load(),
      onAcquired: (bucket) => this.#activate(bucket),
      onStopping: (bucket, why) => this.#deactivate(bucket, why),
      onMembers: (members) => this.#metrics?.members.set(members.length),
      onHandover: (_bucket, seconds) => this.#metrics?.handoverSeconds.observe(seconds),
      onRebalance: () => this.#metrics?.rebalances.inc(),
    });
    if (options.registry) this.registerMetrics(options.registry);
  }

  /** This replica's identity in the sharding Leases. */
  get identity(): string {
    return this.coordinator.identity;
  }

  /** Resolves when the inner provider's initial clusters are known. */
  get ready(): Promise<void> {
    return this.inner.ready ?? Promise.resolve();
  }

  /** The inner provider's reason, if any. */
  notReadyReason(): string | undefined {
    return this.inner.notReadyReason?.();
  }

  /** Registers the sharding metrics (`kubeloom_shard_*`) in `registry`; once. */
  registerMetrics(registry: Registry): void {
    this.#metrics ??= new ShardingMetrics(registry);
  }

  /** Names of the clusters this replica engages now, sorted. */
  ownedClusterNames(): ClusterName[] {
    return [...this.#known]
      .filter(([, known]) => known.engagement !== undefined)
      .map(([name]) => name)
      .toSorted();
  }

  /** Whether this replica may reconcile `name` now: it holds the cluster's bucket and is not giving it up. */
  owns(name: ClusterName): boolean {
    if (name === '') return true;
    return this.coordinator.isActive(bucketOf(name, this.coordinator.buckets));
  }

  /** The cluster, if this replica owns it; else {@link ClusterNotFoundError}. */
  async get(name: ClusterName): Promise<Cluster> {
    if (!this.owns(name)) {
      throw new ClusterNotFoundError(name, `replica ${this.identity} does not own it (sharding)`);
    }
    return this.inner.get(name);
  }

  /** Forwards to the inner provider. */
  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    await this.inner.indexField?.(resource, name, extract);
  }

  /** Runs the inner provider and the sharding coordinator until `signal` aborts, then releases the Leases. */
  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    this.#aware = aware;
    const innerAware: Aware = { engage: async (name, cluster, s) => this.#discovered(name, cluster, s) };
    await Promise.all([this.inner.start?.(innerAware, signal), this.coordinator.run(signal)]);
  }

  /**
   * Wraps a reconciler so that it runs only for clusters this replica owns and so that a handover waits for
   * its in-flight reconciles. Requests of the local cluster (`''`) pass through.
   */
  fence(reconciler: Reconciler): Reconciler {
    return async (request, context) => {
      const known = request.cluster === '' ? undefined : this.#known.get(request.cluster);
      if (request.cluster !== '' && (!known || !this.owns(request.cluster))) {
        context.log.debug('not reconciling: another replica owns this cluster now');
        return;
      }
      const name = request.cluster;
      if (known) this.#inFlight.set(name, (this.#inFlight.get(name) ?? 0) + 1);
      try {
        return await reconciler(request, context);
      } finally {
        if (known) {
          const left = (this.#inFlight.get(name) ?? 1) - 1;
          if (left > 0) this.#inFlight.set(name, left);
          else {
            this.#inFlight.delete(name);
            for (const wake of this.#drainWaiters.get(name)?.splice(0) ?? []) wake();
          }
        }
      }
    };
  }

  #discovered(name: ClusterName, cluster: Cluster, signal: AbortSignal): void {
    if (signal.aborted) return;
    const previous = this.#known.get(name);
    previous?.engagement?.abort(new Error(`cluster "${name}" was engaged again by the provider`));
    const known: KnownCluster = {
      cluster,
      signal,
      bucket: bucketOf(name, this.coordinator.buckets),
    };
    this.#known.set(name, known);
    signal.addEventListener(
      'abort',
      () => {
        if (this.#known.get(name) !== known) return;
        this.#known.delete(name);
        known.engagement = undefined;
        this.#updateOwned();
      },
      { once: true },
    );
    if (this.coordinator.isActive(known.bucket)) this.#engage(name, known);
  }

  #engage(name: ClusterName, known: KnownCluster): void {
    const aware = this.#aware;
    if (!aware || known.engagement || known.signal.aborted) return;
    const engagement = new LinkedAbortController(known.signal);
    known.engagement = engagement;
    this.#updateOwned();
    void Promise.resolve(aware.engage(name, known.cluster, engagement.signal)).catch((error: unknown) =>
      this.#logger.error({ err: error, cluster: name }, 'engaging an owned cluster failed'),
    );
  }

  #activate(bucket: number): void {
    const names: ClusterName[] = [];
    for (const [name, known] of this.#known) {
      if (known.bucket !== bucket) continue;
      names.push(name);
      this.#engage(name, known);
    }
    this.#logger.info(
      { bucket, clusters: names },
      `replica ${this.identity} owns bucket ${bucket}: ${names.length} cluster(s)${names.length ? `: ${names.join(', ')}` : ''}`,
    );
    this.#metrics?.bucketsHeld.set(this.coordinator.heldBuckets().length);
  }

  async #deactivate(bucket: number, why: 'moved' | 'lost' | 'shutdown'): Promise<void> {
    const names: ClusterName[] = [];
    const drained: Array<Promise<void>> = [];
    for (const [name, known] of this.#known) {
      if (known.bucket !== bucket) continue;
      names.push(name);
      known.engagement?.abort(new Error(`bucket ${bucket} of cluster "${name}" is handed over (${why})`));
      known.engagement = undefined;
      if ((this.#inFlight.get(name) ?? 0) > 0) {
        drained.push(
          new Promise((resolve) => {
            const waiters = this.#drainWaiters.get(name) ?? [];
            waiters.push(resolve);
            this.#drainWaiters.set(name, waiters);
          }),
        );
      }
    }
    this.#updateOwned();
    await Promise.all(drained);
    this.#logger.info(
      { bucket, clusters: names, why },
      `replica ${this.identity} stopped bucket ${bucket} (${why}): ${names.length} cluster(s)`,
    );
    this.#metrics?.bucketsHeld.set(
      this.coordinator.heldBuckets().filter((b) => b !== bucket && this.coordinator.isActive(b)).length,
    );
  }

  #updateOwned(): void {
    let owned = 0;
    for (const known of this.#known.values()) if (known.engagement) owned++;
    this.#metrics?.workspacesOwned.set(owned);
  }

  #load(): number[] {
    const load = Array.from({ length: this.coordinator.buckets }, () => 0);
    for (const known of this.#known.values()) load[known.bucket] = (load[known.bucket] ?? 0) + 1;
    return load;
  }
}
