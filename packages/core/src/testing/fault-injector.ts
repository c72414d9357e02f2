import type { FailureRules, InjectedFailure } from './failure-rules.ts';

/** What fault injection can do to one open watch. */
export interface FaultTarget {
  /** Whether the stream has ended. */
  readonly closed: boolean;
  /** Stops sending events (they are held back) without closing the connection, as a frozen proxy would. */
  stall(): void;
  /** Sends what was held back and continues. */
  resume(): void;
  /** Sends an ERROR 410 Expired event and ends the stream. */
  expire(): void;
  /** Closes the connection abruptly, as a crashed server or a reset would. */
  drop(): void;
}

/** The parts of the server fault injection acts on. */
export interface FaultHost {
  /** The currently open watches. */
  openWatches(): Iterable<FaultTarget>;
  /** Forgets event history up to the current resourceVersion and returns it. */
  compact(): number;
}

/**
 * Deterministic fault injection for the fake API server (`server.faults`): broken, expired and silent watches,
 * compaction, and error responses. Every method acts immediately and returns how many watches it touched.
 */
export class FaultInjector {
  readonly #host: FaultHost;
  readonly #rules: FailureRules;

  constructor(host: FaultHost, rules: FailureRules) {
    this.#host = host;
    this.#rules = rules;
  }

  /** Destroys every open watch connection abruptly (the socket is destroyed mid-stream, no final chunk). */
  dropWatches(): number {
    return this.#each((w) => w.drop());
  }

  /** Sends an ERROR event with a 410 Expired Status on every open watch and closes it. */
  expireWatches(): number {
    return this.#each((w) => w.expire());
  }

  /**
   * Forgets the event history up to the current resourceVersion, as etcd compaction does: watches from an
   * older resourceVersion get 410 Expired, and so do LIST continue tokens from an older snapshot. Returns the
   * compaction resourceVersion. (A resourceVersion equal to it is still valid, so write something first if
   * the last one a client saw should expire.)
   */
  compact(): string {
    return String(this.#host.compact());
  }

  /**
   * Stops writing anything (events and bookmarks) to the watches open now; their connections stay open.
   * Watches opened later are not stalled, as when one connection silently hangs.
   */
  stallWatches(): number {
    return this.#each((w) => w.stall());
  }

  /** Resumes stalled watches; what was held back is sent first. */
  resumeWatches(): number {
    return this.#each((w) => w.resume());
  }

  /**
   * Makes the next `failure.count` (default 1) requests matching `failure.match` fail with `failure.status`,
   * a `Status` body, and a `Retry-After` header when `retryAfterSeconds` is given. Rules are consumed in the
   * order they were added.
   */
  failNext(failure: InjectedFailure): void {
    this.#rules.add(failure);
  }

  /** Number of requests that will still fail because of {@link failNext}. */
  get pendingFailures(): number {
    return this.#rules.pending;
  }

  /** Forgets pending {@link failNext} failures and resumes stalled watches. */
  reset(): void {
    this.#rules.clear();
    this.resumeWatches();
  }

  #each(action: (watch: FaultTarget) => void): number {
    let count = 0;
    for (const watch of this.#host.openWatches()) {
      if (watch.closed) continue;
      action(watch);
      count++;
    }
    return count;
  }
}
