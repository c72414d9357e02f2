import {
  type Client,
  type IndexExtractor,
  type InformerOptions,
  type KubeObject,
  type ResourceDescriptor,
  SharedInformer,
  resourceKey,
} from '@kubeloom/core';
import { clusterUrl, wildcardUrl } from '../apis/urls.ts';

/**
 * One virtual-workspace URL of an endpoint slice (one per shard). It owns the shared informers on
 * `<url>/clusters/*`: one per resource, created when a controller first asks for it, whatever the number of
 * workspaces. Everything stops when the endpoint's signal aborts (its URL left the slice, or the provider
 * stopped). A VW that does not serve yet is simply retried by the informers' watchers with backoff.
 */
export class Endpoint {
  /** The virtual-workspace URL, as the slice (or WorkspaceType) lists it. */
  readonly url: string;
  /** Aborted when this endpoint stops; every cluster engaged through it hangs off this signal. */
  readonly signal: AbortSignal;
  readonly #controller: AbortController;
  readonly #wildcard: Client;
  readonly #base: Client;
  readonly #informerOptions: InformerOptions;
  readonly #informers = new Map<string, SharedInformer>();
  readonly #indexes: Map<string, Array<{ name: string; extract: IndexExtractor }>>;

  /**
   * @param base a client with the provider's credentials (any URL); re-based onto the endpoint's URLs
   * @param indexes field indexes to apply to informers of each resource (shared with the provider, so
   *   indexes registered later reach endpoints created earlier through {@link applyIndex})
   */
  constructor(
    url: string,
    base: Client,
    parentSignal: AbortSignal,
    informerOptions: InformerOptions,
    indexes: Map<string, Array<{ name: string; extract: IndexExtractor }>>,
  ) {
    this.url = url;
    this.#controller = new AbortController();
    this.signal = AbortSignal.any([parentSignal, this.#controller.signal]);
    this.#base = base;
    this.#wildcard = base.withServer(wildcardUrl(url));
    this.#informerOptions = informerOptions;
    this.#indexes = indexes;
  }

  /** The shared informer for a resource across every workspace of this endpoint, started on first use. */
  informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T> {
    const key = resourceKey(resource);
    let informer = this.#informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer(
        this.#wildcard,
        resource,
        this.#informerOptions as unknown as InformerOptions<T>,
      );
      for (const index of this.#indexes.get(key) ?? []) informer.addIndex(index.name, index.extract);
      this.#informers.set(key, informer as unknown as SharedInformer);
      informer.start(this.signal);
    }
    return informer;
  }

  /** Adds an index to this endpoint's informer of `resource`, if it exists (future ones get it at creation). */
  applyIndex<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): void {
    const informer = this.#informers.get(resourceKey(resource)) as SharedInformer<T> | undefined;
    if (informer && !informer.store.hasIndex(name)) informer.addIndex(name, extract);
  }

  /** A client for one workspace through this endpoint (`<url>/clusters/<name>`): reads and writes. */
  clusterClient(clusterName: string): Client {
    return this.#base.withServer(clusterUrl(this.url, clusterName));
  }

  /** A client for `<url>/clusters/*` (list and watch only). */
  get wildcardClient(): Client {
    return this.#wildcard;
  }

  /** Every informer this endpoint runs. */
  informers(): SharedInformer[] {
    return [...this.#informers.values()];
  }

  /** Stops every informer and disengages every cluster of this endpoint. */
  stop(): void {
    this.#controller.abort();
  }
}
