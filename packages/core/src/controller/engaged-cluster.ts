import { redact } from '../client/redact.ts';
import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import type { Request } from '../reconcile/request.ts';
import type { StartedSource } from '../source/source.ts';
import { LinkedAbortController } from '../util/linked-abort.ts';

/** A source started for an engaged cluster, with what it watches (for reports of what has not synced). */
export interface EngagedSource {
  /** The source's description, e.g. `Widget (example.io/v1)`. */
  readonly description: string;
  readonly started: StartedSource;
}

/**
 * A controller's record of one engaged cluster (internal to the controller): the cluster, the sources
 * started for it, and the requests waiting for those sources to sync. `signal` aborts when the provider
 * disengages the cluster, when the cluster is engaged again (replaced), or when the controller stops.
 */
export class EngagedCluster {
  readonly name: ClusterName;
  readonly cluster: Cluster;
  /** The signal the provider passed to `engage`, to recognise a repeated engage of the same lifetime. */
  readonly providerSignal: AbortSignal;
  readonly signal: AbortSignal;
  readonly sources: EngagedSource[] = [];
  /** Requests taken from the queue before the sources synced, by request key; requeued once they have. */
  readonly deferred = new Map<string, Request>();
  /** The running wait for the sources to sync, if any. */
  syncing: Promise<void> | undefined;
  readonly #own: LinkedAbortController;

  constructor(name: ClusterName, cluster: Cluster, providerSignal: AbortSignal) {
    this.name = name;
    this.cluster = cluster;
    this.providerSignal = providerSignal;
    this.#own = new LinkedAbortController(providerSignal);
    this.signal = this.#own.signal;
  }

  /** Whether every source started for this cluster has delivered the cluster's current state. */
  get synced(): boolean {
    for (const source of this.sources) if (!source.started.hasSynced) return false;
    return true;
  }

  /**
   * What this cluster still waits for, e.g. `Widget (example.io/v1) in cluster root:a (the server does not
   * serve it: 404)`; undefined once synced. Error text is scrubbed of anything that looks like a credential,
   * because it ends up in `/readyz`.
   */
  notSyncedReason(): string | undefined {
    const pending = this.sources.filter((source) => !source.started.hasSynced);
    if (pending.length === 0) return undefined;
    const where = this.name === '' ? 'the local cluster' : `cluster ${this.name}`;
    return pending
      .map(({ description, started }) => {
        const error = started.lastError;
        return `${description} in ${where}${error ? ` (${describeWatchError(error)})` : ''}`;
      })
      .join(', ');
  }

  /** Ends the engagement from the controller's side (replaced, or the controller stopped). */
  end(reason: string): void {
    this.#own.abort(new Error(reason));
  }
}

/**
 * A watch error, short enough for a readiness reason: a resource the server does not serve (the watcher's
 * `ResourceNotServedError`, recognised by name so that another copy of kubeloom counts too) in a few words,
 * whose long explanation the informer has logged already; anything else as its message.
 */
function describeWatchError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (error.name === 'ResourceNotServedError') {
    return `the server does not serve it${typeof code === 'number' ? `: ${code}` : ''}`;
  }
  return `last watch error: ${redact(error.message)}`;
}
