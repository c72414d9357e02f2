import type { InformerOptions } from '../cache/shared-informer.ts';
import { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import {
  type Aware,
  type Cluster,
  type ClusterName,
  ClusterNotFoundError,
  type IndexExtractor,
} from './cluster.ts';
import { newCluster } from './new-cluster.ts';

/** Options for {@link ClusterSet}. */
export interface ClusterSetOptions {
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
  /** Options for the informers of clusters built from clients. */
  informerOptions?: InformerOptions;
  /** `source.component` of recorded Events. */
  eventComponent?: string;
}

/** Options for {@link ClusterSet.add}. */
export interface ClusterSetAddOptions {
  /**
   * The set owns the client: its connection pool is closed when the cluster is removed. For clients the
   * provider built itself (from a kubeconfig); not for clients a caller handed in and may still use.
   */
  ownsClient?: boolean;
}

interface Entry {
  readonly cluster: Cluster;
  readonly ownsClient: boolean;
  /** Aborted when the cluster is removed or replaced: disengages it and stops its informers. */
  readonly lifetime: AbortController;
}

interface RecordedIndex {
  readonly resource: ResourceDescriptor;
  readonly name: string;
  readonly extract: IndexExtractor;
}

/**
 * The bookkeeping every per-cluster-cache provider needs (multicluster-runtime's `clusters.Clusters`):
 * named clusters, each with a lifetime that disengages it when aborted; engaging every current and future
 * cluster into the Aware given to {@link ClusterSet.start}; and field indexes recorded once and applied to
 * current and future clusters.
 *
 * Engaging never happens on the caller's stack: `aware.engage` is called without being awaited, and its
 * failures are logged, so a provider reacting to a file event or a watch callback is never blocked.
 */
export class ClusterSet {
  readonly #entries = new Map<ClusterName, Entry>();
  readonly #indexes: RecordedIndex[] = [];
  readonly #logger: Logger;
  readonly #options: ClusterSetOptions;
  #aware: Aware | undefined;
  #signal: AbortSignal | undefined;

  constructor(options: ClusterSetOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * Adds a cluster, replacing (and disengaging) one of the same name. A client gets informers and an event
   * recorder of its own ({@link newCluster}); a ready-made Cluster is used as it is. Engaged at once when the
   * set has been started, otherwise on {@link start}.
   */
  add(name: ClusterName, source: Client | Cluster, options: ClusterSetAddOptions = {}): Cluster {
    this.remove(name);
    const lifetime = new AbortController();
    const cluster =
      source instanceof Client
        ? newCluster(name, source, {
            signal: lifetime.signal,
            logger: this.#logger,
            ...(this.#options.informerOptions ? { informerOptions: this.#options.informerOptions } : {}),
            ...(this.#options.eventComponent ? { eventComponent: this.#options.eventComponent } : {}),
          })
        : source;
    for (const index of this.#indexes) applyIndex(cluster, index);
    const entry: Entry = { cluster, lifetime, ownsClient: options.ownsClient ?? false };
    this.#entries.set(name, entry);
    if (this.#aware && !this.#signal?.aborted) this.#engage(name, entry, this.#aware);
    return cluster;
  }

  /** Removes a cluster: aborts its lifetime, which disengages it everywhere. False if there was none. */
  remove(name: ClusterName): boolean {
    const entry = this.#entries.get(name);
    if (!entry) return false;
    this.#entries.delete(name);
    entry.lifetime.abort(new Error(`cluster "${name}" was removed from its provider`));
    if (entry.ownsClient) {
      entry.cluster.client.rest.pool.close().catch((error: unknown) => {
        this.#logger.debug(
          { err: error, cluster: name },
          'closing the connections of a removed cluster failed',
        );
      });
    }
    return true;
  }

  /** The cluster of that name; throws {@link ClusterNotFoundError} otherwise. */
  get(name: ClusterName): Cluster {
    const entry = this.#entries.get(name);
    if (!entry) throw new ClusterNotFoundError(name);
    return entry.cluster;
  }

  /** {@link get} as a Provider's `get`: a rejected promise, not a throw, for a missing cluster. */
  lookup(name: ClusterName): Promise<Cluster> {
    const entry = this.#entries.get(name);
    return entry ? Promise.resolve(entry.cluster) : Promise.reject(new ClusterNotFoundError(name));
  }

  /** Whether a cluster of that name is in the set. */
  has(name: ClusterName): boolean {
    return this.#entries.has(name);
  }

  /** Names of the clusters, sorted. */
  names(): ClusterName[] {
    return [...this.#entries.keys()].toSorted();
  }

  /** Number of clusters. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Engages every cluster, now and when added later, into `aware` until `signal` aborts; then removes them
   * all (their lifetimes abort, so they disengage and their informers stop).
   */
  start(aware: Aware, signal: AbortSignal): void {
    if (this.#aware) throw new Error('a ClusterSet can be started once');
    this.#aware = aware;
    this.#signal = signal;
    const stop = (): void => {
      for (const name of this.#entries.keys()) this.remove(name);
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    for (const [name, entry] of this.#entries) this.#engage(name, entry, aware);
  }

  /** Records a field index and applies it to every current and future cluster whose cache supports indexes. */
  indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): void {
    const index: RecordedIndex = {
      resource,
      name,
      extract: extract as IndexExtractor,
    };
    this.#indexes.push(index);
    for (const entry of this.#entries.values()) applyIndex(entry.cluster, index);
  }

  #engage(name: ClusterName, entry: Entry, aware: Aware): void {
    aware.engage(name, entry.cluster, entry.lifetime.signal).catch((error: unknown) => {
      this.#logger.error({ err: error, cluster: name }, 'engaging a cluster failed');
    });
  }
}

/** Clusters whose cache can take field indexes (an InformerCache or anything shaped like one). */
function applyIndex(cluster: Cluster, index: RecordedIndex): void {
  const cache = cluster.cache as { indexField?: unknown };
  if (typeof cache.indexField === 'function') {
    (cache.indexField as (r: ResourceDescriptor, n: string, e: IndexExtractor) => void).call(
      cluster.cache,
      index.resource,
      index.name,
      index.extract,
    );
  }
}
