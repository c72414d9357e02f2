import { parseLabelSelector } from '../client/label-selector.ts';
import type { KubeObject } from '../client/object.ts';
import { CLUSTER_INDEX, CLUSTER_NAMESPACE_INDEX, type Store, clusterNamespaceKey, keyOf } from './store.ts';

/** Options for {@link ScopedCache.list}. */
export interface CacheListOptions {
  namespace?: string;
  labelSelector?: string;
}

/**
 * Read-only view of one cluster's objects in a shared store: what a reconciler for that cluster reads.
 * Every query goes through the cluster index, so its cost depends on this cluster's objects only.
 * Returned objects are the cached ones: do not modify them.
 */
export class ScopedCache<T extends KubeObject = KubeObject> {
  /** The logical cluster this view shows (`''` outside kcp). */
  readonly cluster: string;
  readonly #store: Store<T>;
  readonly #hasSynced: () => boolean;

  constructor(store: Store<T>, cluster: string, hasSynced: () => boolean) {
    this.#store = store;
    this.cluster = cluster;
    this.#hasSynced = hasSynced;
  }

  /** Whether the underlying informer has completed its initial list. */
  get hasSynced(): boolean {
    return this.#hasSynced();
  }

  /** One object by name (and namespace, for namespaced resources). */
  get(name: string, namespace?: string): T | undefined {
    return this.#store.get(keyOf(this.cluster, namespace, name));
  }

  /** Objects of this cluster, optionally in one namespace and matching a label selector. */
  list(options: CacheListOptions = {}): T[] {
    const bucket =
      options.namespace !== undefined
        ? this.#store.byIndex(CLUSTER_NAMESPACE_INDEX, clusterNamespaceKey(this.cluster, options.namespace))
        : this.#store.byIndex(CLUSTER_INDEX, this.cluster);
    if (!options.labelSelector) return [...bucket];
    const selector = parseLabelSelector(options.labelSelector);
    const out: T[] = [];
    for (const object of bucket) if (selector.matches(object.metadata?.labels)) out.push(object);
    return out;
  }

  /** Objects of this cluster whose user index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    return [...this.#store.byIndex(name, value, this.cluster)];
  }
}
