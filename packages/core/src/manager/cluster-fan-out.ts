import type { Aware, Cluster, ClusterName } from '../cluster/cluster.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { type AbortWatcher, LinkedAbortController, watchAbort } from '../util/linked-abort.ts';

/** Options for {@link ClusterFanOut}. */
export interface ClusterFanOutOptions {
  logger?: Logger;
  /** Told the number of engaged clusters whenever it changes. */
  onCountChanged?: (count: number) => void;
  /** Told when a cluster's engagement ends because its provider signal aborted (not when it is replaced). */
  onDisengaged?: (name: ClusterName) => void;
  /** First delay before retrying an engage that failed. Default 1 s, doubling up to {@link maxRetryDelayMs}. */
  initialRetryDelayMs?: number;
  /** Default 60 s. */
  maxRetryDelayMs?: number;
}

/** A cluster-aware runnable attached while it runs. */
interface Attachment {
  readonly aware: Aware;
  readonly name: string;
  /** The runnable's run: when it aborts, every engagement into it ends. */
  readonly signal: AbortSignal;
  /**
   * Live engagements into this runnable, by cluster; aborting one ends that engagement only. Kept per
   * runnable (a few) rather than per cluster (up to 100,000), so a cluster costs one map entry per runnable.
   */
  readonly engagements: Map<ClusterName, AbortController>;
}

/** One (runnable, cluster) engagement attempt waiting for its turn. */
interface QueuedEngagement {
  readonly attachment: Attachment;
  readonly entry: ClusterEntry;
  readonly attempt: number;
  /** Told when the attempt has finished, whichever way (for {@link ClusterFanOut.attach}). */
  readonly done: (() => void) | undefined;
}

/** An engaged cluster until its provider signal aborts; also that signal's watcher. */
class ClusterEntry implements AbortWatcher {
  readonly name: ClusterName;
  readonly cluster: Cluster;
  readonly signal: AbortSignal;
  readonly #onDisengaged: (entry: ClusterEntry) => void;

  constructor(
    name: ClusterName,
    cluster: Cluster,
    signal: AbortSignal,
    onDisengaged: (entry: ClusterEntry) => void,
  ) {
    this.name = name;
    this.cluster = cluster;
    this.signal = signal;
    this.#onDisengaged = onDisengaged;
  }

  /** The provider's signal aborted. */
  signalAborted(): void {
    this.#onDisengaged(this);
  }
}

/**
 * Fans the engaged clusters out into the cluster-aware runnables: the manager's side of engagement
 * (multicluster-runtime's basic coordinator, with its gaps closed):
 *
 * - `engage` records the cluster at once (so `get` finds it) and queues the fan-out; the caller, usually
 *   a provider reacting to a watch event, never waits for any runnable;
 * - every (runnable, cluster) engagement runs on its own, so a slow cluster or runnable never holds up
 *   another; a failed engagement is retried with backoff while both are alive;
 * - runnables attached later get every cluster already engaged (the replay multicluster-runtime lacks);
 * - each engagement's signal combines the provider's cluster signal, the runnable's run signal and a
 *   per-engagement abort, so disengaging, stopping the runnable or replacing the cluster all end it.
 */
export class ClusterFanOut {
  readonly #clusters = new Map<ClusterName, ClusterEntry>();
  readonly #attachments = new Set<Attachment>();
  readonly #logger: Logger;
  readonly #onCountChanged: (count: number) => void;
  readonly #onDisengaged: ((name: ClusterName) => void) | undefined;
  readonly #initialRetryMs: number;
  readonly #maxRetryMs: number;
  readonly #queue: QueuedEngagement[] = [];
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #drainScheduled = false;
  #pending = 0;
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: ClusterFanOutOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#onCountChanged = options.onCountChanged ?? (() => {});
    this.#onDisengaged = options.onDisengaged;
    this.#initialRetryMs = options.initialRetryDelayMs ?? 1000;
    this.#maxRetryMs = options.maxRetryDelayMs ?? 60_000;
  }

  /**
   * Records `cluster` as engaged until `signal` aborts and queues its engagement into every attached
   * runnable. Engaging the same cluster instance with the same signal again is a no-op; anything else
   * under a known name replaces the old engagement.
   */
  engage(name: ClusterName, cluster: Cluster, signal: AbortSignal): void {
    if (this.#closed || signal.aborted) return;
    const existing = this.#clusters.get(name);
    if (existing && existing.cluster === cluster && existing.signal === signal) return;
    if (existing) this.#forget(existing, 'replaced');
    const entry = new ClusterEntry(name, cluster, signal, this.#disengaged);
    this.#clusters.set(name, entry);
    this.#onCountChanged(this.#clusters.size);
    watchAbort(signal, entry);
    for (const attachment of this.#attachments) this.#schedule(attachment, entry, 0);
  }

  /** The engaged cluster of that name. */
  get(name: ClusterName): Cluster | undefined {
    return this.#clusters.get(name)?.cluster;
  }

  /** Names of the engaged clusters, sorted. */
  names(): ClusterName[] {
    return [...this.#clusters.keys()].toSorted();
  }

  /** Number of engaged clusters. */
  get size(): number {
    return this.#clusters.size;
  }

  /**
   * Engages every current and future cluster into `aware` until `signal` aborts. Resolves when the
   * engagements of the clusters engaged so far have finished (successfully or not), which is when a
   * controller's `waitForCacheSync` becomes meaningful.
   */
  attach(aware: Aware, name: string, signal: AbortSignal): Promise<void> {
    if (this.#closed || signal.aborted) return Promise.resolve();
    const attachment: Attachment = { aware, name, signal, engagements: new Map() };
    this.#attachments.add(attachment);
    signal.addEventListener(
      'abort',
      () => {
        this.#attachments.delete(attachment);
        attachment.engagements.clear();
      },
      { once: true },
    );
    return Promise.all(
      [...this.#clusters.values()].map(
        (entry) => new Promise<void>((resolve) => this.#schedule(attachment, entry, 0, resolve)),
      ),
    ).then(() => undefined);
  }

  /** Resolves when no engagement is queued or running (retries waiting for their delay do not count). */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops retrying and forgets every cluster and runnable; engagements already live end with their signals. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    this.#attachments.clear();
    this.#clusters.clear();
    this.#onCountChanged(0);
  }

  readonly #disengaged = (entry: ClusterEntry): void => {
    if (this.#forget(entry, 'disengaged')) this.#onDisengaged?.(entry.name);
  };

  /** Ends the engagements of `entry` if it is the current one under its name; returns whether it was. */
  #forget(entry: ClusterEntry, why: string): boolean {
    // An entry that was replaced had its engagements ended then; those under its name now are the new one's.
    if (this.#clusters.get(entry.name) !== entry) return false;
    for (const attachment of this.#attachments) {
      const controller = attachment.engagements.get(entry.name);
      if (!controller) continue;
      attachment.engagements.delete(entry.name);
      controller.abort(new Error(`cluster "${entry.name}" ${why}`));
    }
    this.#clusters.delete(entry.name);
    this.#onCountChanged(this.#clusters.size);
    return true;
  }

  /**
   * Queues one engagement attempt; `done` is told when it has finished. A plain record, not a promise and a
   * closure: a provider engaging 100,000 clusters queues 100,000 of them.
   */
  #schedule(attachment: Attachment, entry: ClusterEntry, attempt: number, done?: () => void): void {
    this.#pending++;
    this.#queue.push({ attachment, entry, attempt, done });
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    // Off the caller's stack: a provider's watch callback must never run a controller's engage.
    setImmediate(this.#drain);
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    for (const queued of this.#queue.splice(0)) void this.#engageInto(queued);
  };

  /** Runs one queued attempt: engages, or on failure schedules a retry with backoff. Never rejects. */
  async #engageInto(queued: QueuedEngagement): Promise<void> {
    const { attachment, entry } = queued;
    try {
      if (this.#closed || entry.signal.aborted || attachment.signal.aborted) return;
      if (this.#clusters.get(entry.name) !== entry || attachment.engagements.has(entry.name)) return;
      if (!this.#attachments.has(attachment)) return;
      const controller = new LinkedAbortController(entry.signal, attachment.signal);
      attachment.engagements.set(entry.name, controller);
      try {
        await attachment.aware.engage(entry.name, entry.cluster, controller.signal);
      } catch (error) {
        controller.abort(error);
        if (attachment.engagements.get(entry.name) === controller) attachment.engagements.delete(entry.name);
        if (this.#closed || entry.signal.aborted || attachment.signal.aborted) return;
        this.#retryLater(queued, error);
      }
    } finally {
      queued.done?.();
      if (--this.#pending === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  #retryLater({ attachment, entry, attempt }: QueuedEngagement, error: unknown): void {
    const delay = Math.min(this.#initialRetryMs * 2 ** attempt, this.#maxRetryMs);
    this.#logger.error(
      { err: error, cluster: entry.name, runnable: attachment.name, retryInMs: delay },
      `engaging cluster "${entry.name}" into ${attachment.name} failed; retrying`,
    );
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#schedule(attachment, entry, attempt + 1);
    }, delay);
    timer.unref();
    this.#retryTimers.add(timer);
  }
}
