/**
 * Options for {@link Backoff}. How long to wait depends on how long the current outage has lasted: an
 * API server that restarts (kcp answers 403/500/503 or refuses connections for a few seconds) is retried
 * quickly, one that stays down is asked less and less often.
 */
export interface BackoffOptions {
  /** First delay of an outage; later ones double from it. Default 250 ms. */
  initialMs?: number;
  /** Longest delay, reached once an outage outlasts `steadyWindowMs`. Default 30 s. */
  maxMs?: number;
  /**
   * Randomisation: each delay is shortened by a random amount up to this fraction, so that many watchers
   * that broke together do not retry in lockstep (never lengthened: the caps stay caps). Default 0.25.
   */
  jitter?: number;
  /** During this first part of an outage, delays are capped at `quickMaxMs`. Default 10 s. */
  quickWindowMs?: number;
  /** Delay cap in the quick window. Default 1 s. */
  quickMaxMs?: number;
  /** Until the outage is this old, delays are capped at `steadyMaxMs`; afterwards they double to `maxMs`. Default 60 s. */
  steadyWindowMs?: number;
  /** Delay cap between `quickWindowMs` and `steadyWindowMs`. Default 3 s. */
  steadyMaxMs?: number;
}

/**
 * Retry delays for one watch. An outage starts at the first failure after {@link succeeded} (or after
 * construction); within it, delays double from `initialMs` but are capped by the outage's age: at most
 * 1 s for its first 10 s, at most 3 s until it is a minute old, then doubling up to 30 s (the defaults).
 * So a server that comes back is noticed within about three seconds, while one that stays down sees one
 * request per few seconds, then one per 30 s. When a server that could not be reached starts answering
 * (with errors: kcp answers 403/503 for a few seconds after a restart), the quick window starts over once
 * per outage, so that short window is ridden out with sub-second retries. An explicit `initialMs` above a
 * cap wins over it.
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #jitter: number;
  readonly #quickWindow: number;
  readonly #quickMax: number;
  readonly #steadyWindow: number;
  readonly #steadyMax: number;
  /** When the current outage began; undefined while healthy. */
  #outageStart: number | undefined;
  #attempts = 0;
  #attemptsAfterSteady = 0;
  #lastWasUnreachable = false;
  #restartedQuickWindow = false;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 250;
    this.#max = Math.max(options.maxMs ?? 30_000, this.#initial);
    this.#jitter = Math.min(Math.max(options.jitter ?? 0.25, 0), 1);
    this.#quickWindow = options.quickWindowMs ?? 10_000;
    this.#quickMax = options.quickMaxMs ?? 1_000;
    this.#steadyWindow = options.steadyWindowMs ?? 60_000;
    this.#steadyMax = options.steadyMaxMs ?? 3_000;
  }

  /**
   * Records a failure and returns how long to wait before the next attempt. `serverAnswered` says the
   * server responded (with an error status) rather than being unreachable.
   */
  next(now: number = Date.now(), serverAnswered = false): number {
    if (serverAnswered && this.#lastWasUnreachable && !this.#restartedQuickWindow) {
      // The server is back but still warming up: retry quickly again (once per outage, so a server that
      // keeps flapping between the two cannot keep the delays short forever).
      this.#restartedQuickWindow = true;
      this.#outageStart = now;
      this.#attempts = 0;
      this.#attemptsAfterSteady = 0;
    }
    this.#lastWasUnreachable = !serverAnswered;
    this.#outageStart ??= now;
    const age = now - this.#outageStart;
    const exponential = this.#initial * 2 ** Math.min(this.#attempts++, 30);
    let cap: number;
    if (age < this.#quickWindow) cap = this.#quickMax;
    else if (age < this.#steadyWindow) cap = this.#steadyMax;
    else cap = this.#steadyMax * 2 ** Math.min(++this.#attemptsAfterSteady, 30);
    const delay = Math.min(exponential, Math.max(cap, this.#initial), this.#max);
    return delay * (1 - Math.random() * this.#jitter);
  }

  /** Ends the outage: the watch is healthy again, the next failure starts a new one from `initialMs`. */
  succeeded(): void {
    this.#outageStart = undefined;
    this.#attempts = 0;
    this.#attemptsAfterSteady = 0;
    this.#lastWasUnreachable = false;
    this.#restartedQuickWindow = false;
  }

  /** Same as {@link succeeded}. */
  reset(): void {
    this.succeeded();
  }

  /** How long the current outage has lasted (0 while healthy). */
  outageMs(now: number = Date.now()): number {
    return this.#outageStart === undefined ? 0 : now - this.#outageStart;
  }
}
