import { parseLabelSelector } from '../client/label-selector.ts';
import type { KubeObject } from '../client/object.ts';
import type { Store } from './store.ts';

/** Options for {@link ScopedCache.list}. */
export interface CacheListOptions {
  /** Only objects of this namespace; default all. */
  namespace?: string;
  /** Only objects whose labels match, e.g. `app=shop` (evaluated on the cache). */
  labelSelector?: string;
}

/**
 * Read-only view of one cluster's objects in a shared store: what a reconciler for that cluster reads.
 * Every query reads only this cluster's part of the store, so its cost depends on this cluster's objects only.
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
    return this.#store.get(this.cluster, namespace, name);
  }

  /** Objects of this cluster, optionally in one namespace and matching a label selector. */
  list(options: CacheListOptions = {}): T[] {
    const bucket =
      options.namespace !== undefined
        ? this.#store.inNamespace(this.cluster, options.namespace)
        : this.#store.inCluster(this.cluster);
    if (!options.labelSelector) return [...bucket];
    const selector = parseLabelSelector(options.labelSelector);
    const out: T[] = [];
    for (const object of bucket) if (selector.matches(object.metadata?.labels)) out.push(object);
    return out;
  }

  /** Number of objects of this cluster. */
  get size(): number {
    return this.#store.countInCluster(this.cluster);
  }

  /** Objects of this cluster whose user index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    return [...this.#store.byIndex(name, value, this.cluster)];
  }
}
