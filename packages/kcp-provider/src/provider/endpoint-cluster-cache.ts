import type {
  ClusterCache,
  KubeObject,
  ResourceDescriptor,
  ScopedCache,
  SharedInformer,
} from '@kubeloom/core';
import type { Endpoint } from './endpoint.ts';

/**
 * The cache of one kcp workspace: the endpoint's shared informers, scoped to the workspace's logical cluster.
 * Registering a handler with `{ cluster: scope }` or reading through `reader()` touches only this
 * workspace's objects; no per-workspace watch is ever opened.
 */
export class EndpointClusterCache implements ClusterCache {
  readonly scope: string;
  readonly #endpoint: Endpoint;

  constructor(endpoint: Endpoint, clusterName: string) {
    this.#endpoint = endpoint;
    this.scope = clusterName;
  }

  informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T> {
    return this.#endpoint.informer(resource);
  }

  reader<T extends KubeObject>(resource: ResourceDescriptor<T>): ScopedCache<T> {
    return this.#endpoint.informer(resource).scoped(this.scope);
  }
}
