import type { InformerOptions } from '../cache/shared-informer.ts';
import { Client } from '../client/client.ts';
import type { KubeConfigSource } from '../client/kubeconfig.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import type { Logger } from '../log/logger.ts';
import type { Aware, Cluster, ClusterName, IndexExtractor, Provider } from './cluster.ts';
import { ClusterSet } from './cluster-set.ts';
import { isCluster } from './new-cluster.ts';

/** Options for {@link StaticProvider}. */
export interface StaticProviderOptions {
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
  /** Options for the informers of clusters added as clients. */
  informerOptions?: InformerOptions;
}

/**
 * Clusters added and removed by the program: `add(name, client)` engages a cluster (at once when the
 * provider runs, otherwise when it starts), `remove(name)` disengages it. For tests, demos and operators
 * that learn about clusters from somewhere kubeloom has no provider for.
 */
export class StaticProvider implements Provider {
  readonly #clusters: ClusterSet;
  readonly #started = Promise.withResolvers<void>();

  constructor(options: StaticProviderOptions = {}) {
    this.#clusters = new ClusterSet(options);
  }

  /** Resolves when the provider has started: everything added before then has been handed to the manager. */
  get ready(): Promise<void> {
    return this.#started.promise;
  }

  /**
   * Adds a cluster, or replaces the one of that name (which is disengaged first). A client gets informers
   * and an event recorder of its own; a Cluster is used as it is; a kubeconfig is loaded now, so a bad one
   * fails at once with a message naming file and context.
   */
  add(name: ClusterName, source: Client | Cluster | KubeConfigSource): Cluster {
    if (source instanceof Client || isCluster(source)) return this.#clusters.add(name, source);
    return this.#clusters.add(name, Client.fromKubeConfig(source), { ownsClient: true });
  }

  /** Disengages and forgets a cluster. False if there was none of that name. */
  remove(name: ClusterName): boolean {
    return this.#clusters.remove(name);
  }

  /** Names of the clusters, sorted. */
  names(): ClusterName[] {
    return this.#clusters.names();
  }

  get(name: ClusterName): Promise<Cluster> {
    return this.#clusters.lookup(name);
  }

  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    this.#clusters.start(aware, signal);
    this.#started.resolve();
    await untilAborted(signal);
  }

  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    this.#clusters.indexField(resource, name, extract);
  }
}

/** Resolves when `signal` aborts: how a provider's `start` blocks for its lifetime, as Go's `Start(ctx)` does. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
