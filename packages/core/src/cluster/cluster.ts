import type { Registry } from 'prom-client';
import type { ScopedCache } from '../cache/scoped-cache.ts';
import type { SharedInformer } from '../cache/shared-informer.ts';
import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import type { EventRecorder } from '../events/event-recorder.ts';

/** Name of a cluster within a provider. `''` is the manager's own (local) cluster. */
export type ClusterName = string;

/**
 * The informers of a cluster. For an ordinary cluster each resource has an informer of its own; for a kcp
 * workspace the informer is shared by every workspace of an endpoint, and `scope` picks this workspace's
 * objects out of it (the value of their `kcp.io/cluster`).
 */
export interface ClusterCache {
  /** `kcp.io/cluster` of this cluster's objects in the informers; `''` outside kcp. */
  readonly scope: string;
  /** The informer for a resource, created and started on first use. */
  informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T>;
  /** This cluster's read-only view of a resource (starts its informer if needed). */
  reader<T extends KubeObject>(resource: ResourceDescriptor<T>): ScopedCache<T>;
}

/** One cluster: a client for writes and uncached reads, a cache for watched reads, an event recorder. */
export interface Cluster {
  /** The name the provider engaged it under (for kcp: the logical cluster name); `''` is the local cluster. */
  readonly name: ClusterName;
  /** For writes and for reads that must be current (uncached); scoped to this cluster (for kcp: `/clusters/<name>`). */
  readonly client: Client;
  /** For reads a controller makes often: informer-backed, so they cost no request; watch-fresh, not read-your-writes. */
  readonly cache: ClusterCache;
  /** Records Kubernetes Events about this cluster's objects, the way `kubectl describe` shows them. */
  readonly events: EventRecorder;
}

/**
 * Something that works on clusters as they come and go (controllers are). `engage` is called once per
 * cluster; the engagement lasts until `signal` aborts, and everything set up for that cluster must hang off
 * that signal. There is no disengage call.
 */
export interface Aware {
  /** Starts working on `cluster` until `signal` aborts; resolves once set up (rejecting refuses the cluster). */
  engage(name: ClusterName, cluster: Cluster, signal: AbortSignal): Promise<void>;
}

/** A field index a provider applies to the clusters it has and will have. */
export type IndexExtractor<T extends KubeObject = KubeObject> = (object: T) => readonly string[];

/** A source of clusters: kcp workspaces, kind clusters, kubeconfig files, a static list... */
export interface Provider {
  /** The cluster of that name; throws {@link ClusterNotFoundError} if it is not (or no longer) engaged. */
  get(name: ClusterName): Promise<Cluster>;
  /**
   * Discovers clusters and engages each with `aware` until `signal` aborts. Providers without discovery (a
   * fixed list) may omit it.
   */
  start?(aware: Aware, signal: AbortSignal): Promise<void>;
  /**
   * Resolves once the clusters that existed when the provider started have been engaged (its initial set),
   * so that the manager reports ready only then and reconcilers do not mistake a not-yet-engaged cluster
   * for a vanished one. A provider without it counts as complete as soon as it starts.
   */
  readonly ready?: Promise<void>;
  /**
   * Why the provider cannot serve its fleet right now (e.g. the object it follows does not exist, or it is
   * forbidden to read it), or `undefined` when nothing is wrong. The manager's `/readyz` fails with this
   * text for as long as it is set, also after the initial set was engaged.
   */
  notReadyReason?(): string | undefined;
  /** Registers the provider's own metrics in the manager's registry; the manager calls it once. */
  registerMetrics?(registry: Registry): void;
  /** Adds a field index to every current and future cluster's informer of `resource`. */
  indexField?<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void>;
}

/** The provider does not know (or no longer has) a cluster of that name. */
export class ClusterNotFoundError extends Error {
  /** `ClusterNotFoundError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ClusterNotFoundError';
  /** The cluster that was asked for. */
  readonly cluster: ClusterName;
  constructor(cluster: ClusterName, detail = '') {
    super(`cluster "${cluster}" is not engaged${detail ? `: ${detail}` : ''}`);
    this.cluster = cluster;
  }
}
