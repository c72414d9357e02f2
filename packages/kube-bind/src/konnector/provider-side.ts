import {
  type Client,
  type Cluster,
  type Controller,
  ControllerBuilder,
  type KubeObject,
  type Logger,
  type ResourceDescriptor,
  enqueueFromMap,
} from '@kubeloom/core';
import type { ObjectKey } from './isolation.ts';

/**
 * Where a syncer reads and writes one provider's objects: a client for writes, and the informer cache(s)
 * that hold the provider's copies, engaged with the syncer's controller. Either one cache for the whole
 * provider (informer scope `Cluster`) or one per provider namespace of the consumer (`Namespaced`, for a
 * credential that may only watch those namespaces).
 */
export interface ProviderSide {
  readonly client: Client;
  /** Whether an engaged cluster's events are this provider's (for the syncer's provider watch). */
  readonly isProviderCluster: (name: string) => boolean;
  /** Engages `controller` with the provider cache(s), now and as they appear, until `signal` aborts. */
  attach(controller: Controller, signal: AbortSignal): Promise<void>;
  /**
   * The cached object at `key`. `unknown` when the cache that would hold it has not listed yet (or its
   * namespace is not watched yet): a caller must not conclude the object is gone.
   */
  cached<T extends KubeObject>(resource: ResourceDescriptor<T>, key: ObjectKey): T | undefined | 'unknown';
}

/** The provider as one cache (one cluster-wide informer per resource). */
export function wholeProvider(name: string, cluster: Cluster): ProviderSide {
  return {
    client: cluster.client,
    isProviderCluster: (engaged) => engaged === name,
    attach: (controller, signal) => controller.engage(name, cluster, signal),
    cached: (resource, key) => {
      const reader = cluster.cache.reader(resource);
      if (!reader.hasSynced) return 'unknown';
      return reader.get(key.name, key.namespace || undefined);
    },
  };
}

/**
 * The controller skeleton every konnector syncer shares: requests are consumer keys of `consumerResource`
 * (cluster `''`), and the provider's `providerResource` events are mapped back to them with
 * `toConsumerKey` (undefined: not this consumer's, ignored).
 */
export function syncerBuilder(options: {
  readonly name: string;
  readonly consumerResource: ResourceDescriptor;
  readonly providerResource: ResourceDescriptor;
  readonly provider: ProviderSide;
  readonly toConsumerKey: (providerObject: KubeObject) => ObjectKey | undefined;
  readonly maxConcurrentReconciles: number;
  readonly logger?: Logger | undefined;
}): ControllerBuilder {
  return new ControllerBuilder(options.name)
    .for(options.consumerResource, { clusters: 'local' })
    .watches(
      options.providerResource,
      enqueueFromMap(
        (o: KubeObject) => {
          const key = options.toConsumerKey(o);
          return key ? [{ cluster: '', ...key }] : [];
        },
        { crossCluster: true },
      ),
      { clusters: options.provider.isProviderCluster },
    )
    .withOptions({
      maxConcurrentReconciles: options.maxConcurrentReconciles,
      gracefulShutdownMs: 5_000,
      ...(options.logger ? { logger: options.logger } : {}),
    });
}
