import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import type { Request } from '../reconcile/request.ts';
import type { StartedSource } from '../source/source.ts';

/**
 * A controller's record of one engaged cluster (internal to the controller): the cluster, the sources
 * started for it, and the requests waiting for those sources to sync. `signal` aborts when the provider
 * disengages the cluster, when the cluster is engaged again (replaced), or when the controller stops.
 */
export class ClusterEngagement {
  readonly name: ClusterName;
  readonly cluster: Cluster;
  /** The signal the provider passed to `engage`, to recognise a repeated engage of the same lifetime. */
  readonly providerSignal: AbortSignal;
  readonly signal: AbortSignal;
  readonly sources: StartedSource[] = [];
  /** Requests taken from the queue before the sources synced, by request key; requeued once they have. */
  readonly deferred = new Map<string, Request>();
  /** The running wait for the sources to sync, if any. */
  syncing: Promise<void> | undefined;
  readonly #own = new AbortController();

  constructor(name: ClusterName, cluster: Cluster, providerSignal: AbortSignal) {
    this.name = name;
    this.cluster = cluster;
    this.providerSignal = providerSignal;
    this.signal = AbortSignal.any([providerSignal, this.#own.signal]);
  }

  /** Whether every source started for this cluster has delivered the cluster's current state. */
  get synced(): boolean {
    for (const source of this.sources) if (!source.hasSynced) return false;
    return true;
  }

  /** Ends the engagement from the controller's side (replaced, or the controller stopped). */
  end(reason: string): void {
    this.#own.abort(new Error(reason));
  }
}
