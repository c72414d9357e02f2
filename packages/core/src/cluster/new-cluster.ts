import type { InformerOptions } from '../cache/shared-informer.ts';
import type { Client } from '../client/client.ts';
import { ClientEventRecorder } from '../events/client-event-recorder.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import type { Cluster, ClusterName } from './cluster.ts';
import { InformerCache } from './informer-cache.ts';

/** Options for {@link newCluster}. */
export interface NewClusterOptions {
  /** The cluster's lifetime: its informers stop and its event recorder stops recording when this aborts. */
  signal: AbortSignal;
  /** Informer errors and event-recording failures go here, bound to `{ cluster: name }`. */
  logger?: Logger;
  /** Options for every informer of the cluster (page size, timeouts, backoff, transform). */
  informerOptions?: InformerOptions;
  /** `source.component` of recorded Events. Default `kubeloom`. */
  eventComponent?: string;
}

/**
 * A cluster with informers of its own (not a view of a shared kcp informer), so field indexes can be added
 * to it, and a client-backed event recorder that can be flushed.
 */
export interface InformerCluster extends Cluster {
  /** The cluster's informers, created on first use and stopped with the cluster. */
  readonly cache: InformerCache;
  /** Writes Events through the cluster's client, aggregating repeats. */
  readonly events: ClientEventRecorder;
}

/**
 * An ordinary cluster from a client: an {@link InformerCache} that creates informers on first use and a
 * {@link ClientEventRecorder}, both living until `options.signal` aborts. This is what the generic
 * providers hand to the manager for every kubeconfig, kind cluster or programmatically added client.
 */
export function newCluster(name: ClusterName, client: Client, options: NewClusterOptions): InformerCluster {
  const logger = (options.logger ?? silentLogger).child({ cluster: name });
  const informerOptions: InformerOptions = {
    onError: (error) => logger.warn({ err: error }, 'informer error (it keeps retrying)'),
    ...options.informerOptions,
  };
  return {
    name,
    client,
    cache: new InformerCache(client, options.signal, informerOptions),
    events: new ClientEventRecorder(client, {
      component: options.eventComponent ?? 'kubeloom',
      logger,
      signal: options.signal,
    }),
  };
}

/** Whether a value is a {@link Cluster} (as opposed to a Client or a kubeconfig source), for APIs that take either. */
export function isCluster(value: unknown): value is Cluster {
  return (
    typeof value === 'object' && value !== null && 'client' in value && 'cache' in value && 'events' in value
  );
}
