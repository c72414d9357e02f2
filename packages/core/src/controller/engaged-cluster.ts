import { redact } from '../client/redact.ts';
import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';
import type { Request } from '../reconcile/request.ts';
import type { StartedSource } from '../source/source.ts';
import { LinkedAbortController } from '../util/linked-abort.ts';

/** A source started for an engaged cluster, with what it watches (for reports of what has not synced). */
export interface EngagedSource {
  /** The source's description, e.g. `Widget (example.io/v1)`. */
  readonly description: string;
  readonly started: StartedSource;
}

/** An engagement's abort controller, telling its controller once when the engagement ends, however it ends. */
class EngagementAbort extends LinkedAbortController {
  readonly #engagement: EngagedCluster;
  readonly #onEnd: (engagement: EngagedCluster) => void;

  constructor(
    providerSignal: AbortSignal,
    engagement: EngagedCluster,
    onEnd: (engagement: EngagedCluster) => void,
  ) {
    super(providerSignal);
    this.#engagement = engagement;
    this.#onEnd = onEnd;
  }

  override abort(reason?: unknown): void {
    const first = !this.signal.aborted;
    super.abort(reason);
    if (first) this.#onEnd(this.#engagement);
  }
}

/**
 * A controller's record of one engaged cluster (internal to the controller): the cluster, the sources
 * started for it, and the requests waiting for those sources to sync. `signal` aborts when the provider
 * disengages the cluster, when the cluster is engaged again (replaced), or when the controller stops; the
 * controller's `onEnd` is called then (one function for every engagement: there is one engagement per
 * cluster, so nothing here is a closure of its own).
 */
export class EngagedCluster {
  readonly name: ClusterName;
  readonly cluster: Cluster;
  /** The signal the provider passed to `engage`, to recognise a repeated engage of the same lifetime. */
  readonly providerSignal: AbortSignal;
  readonly signal: AbortSignal;
  /** The controller's logger bound to this cluster, for its sources and handlers. */
  readonly log: Logger;
  /** The sources started for this cluster, in an array exactly as long as it needs to be. */
  #sources: readonly EngagedSource[] = [];
  /** The running wait for the sources to sync, if any. */
  syncing: Promise<void> | undefined;
  readonly #own: EngagementAbort;
  /** Requests taken from the queue before the sources synced, by request key; made when first needed. */
  #deferred: Map<string, Request> | undefined;

  constructor(
    name: ClusterName,
    cluster: Cluster,
    providerSignal: AbortSignal,
    log: Logger,
    onEnd: (engagement: EngagedCluster) => void,
  ) {
    this.name = name;
    this.cluster = cluster;
    this.providerSignal = providerSignal;
    this.log = log;
    this.#own = new EngagementAbort(providerSignal, this, onEnd);
    this.signal = this.#own.signal;
  }

  /** The sources started for this cluster. */
  get sources(): readonly EngagedSource[] {
    return this.#sources;
  }

  /** Records a source started for this cluster. */
  addSource(source: EngagedSource): void {
    this.#sources = [...this.#sources, source];
  }

  /** Keeps a request that came before the sources synced, to requeue once they have (one per key). */
  defer(key: string, request: Request): void {
    this.#deferred ??= new Map();
    this.#deferred.set(key, request);
  }

  /** The deferred requests, forgotten here: the caller requeues or moves them. */
  takeDeferred(): Array<[string, Request]> {
    const deferred = this.#deferred;
    this.#deferred = undefined;
    return deferred ? [...deferred] : [];
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
  end(reason: string | Error): void {
    this.#own.abort(typeof reason === 'string' ? new Error(reason) : reason);
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
