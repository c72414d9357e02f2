import type { ScopedCache } from '../cache/scoped-cache.ts';
import { type InformerOptions, SharedInformer } from '../cache/shared-informer.ts';
import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, resourceKey } from '../client/resource.ts';
import type { ClusterCache, IndexExtractor } from './cluster.ts';

/**
 * The cache of one cluster: one SharedInformer per resource, created and started on first use, all stopped
 * when `signal` aborts. Field indexes registered before an informer exists are applied when it is created.
 *
 * Every object these informers hold belongs to this cluster, under {@link scope} — also when the client
 * points at a kcp workspace (`/clusters/<path>`), whose objects carry that workspace's logical cluster name
 * in `kcp.io/cluster`. So a client for a workspace works as a cluster without knowing that name.
 */
export class InformerCache implements ClusterCache {
  readonly scope: string;
  readonly #client: Client;
  readonly #signal: AbortSignal;
  readonly #options: InformerOptions;
  readonly #informers = new Map<string, SharedInformer>();
  readonly #pendingIndexes = new Map<string, Array<{ name: string; extract: IndexExtractor }>>();

  constructor(client: Client, signal: AbortSignal, options: InformerOptions & { scope?: string } = {}) {
    const { scope, ...informerOptions } = options;
    this.#client = client;
    this.#signal = signal;
    this.scope = scope ?? '';
    const fixedScope = this.scope;
    this.#options = { ...informerOptions, clusterOf: () => fixedScope };
  }

  informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T> {
    const key = resourceKey(resource);
    let informer = this.#informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer(this.#client, resource, this.#options as unknown as InformerOptions<T>);
      for (const index of this.#pendingIndexes.get(key) ?? []) informer.addIndex(index.name, index.extract);
      this.#informers.set(key, informer as unknown as SharedInformer);
      informer.start(this.#signal);
    }
    return informer;
  }

  reader<T extends KubeObject>(resource: ResourceDescriptor<T>): ScopedCache<T> {
    return this.informer(resource).scoped(this.scope);
  }

  /** Adds a field index now (if the informer exists) and to the informer created later. */
  indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): void {
    const key = resourceKey(resource);
    const existing = this.#informers.get(key) as SharedInformer<T> | undefined;
    if (existing) {
      if (!existing.store.hasIndex(name)) existing.addIndex(name, extract);
      return;
    }
    const pending = this.#pendingIndexes.get(key) ?? [];
    pending.push({ name, extract: extract as IndexExtractor });
    this.#pendingIndexes.set(key, pending);
  }

  /** Every informer created so far. */
  informers(): SharedInformer[] {
    return [...this.#informers.values()];
  }

  /** True when every informer created so far has synced. */
  get hasSynced(): boolean {
    for (const informer of this.#informers.values()) if (!informer.hasSynced) return false;
    return true;
  }
}
