import type { RateLimiter } from './rate-limiter.ts';

/** Options for {@link ExponentialBackoffLimiter}. */
export interface ExponentialBackoffLimiterOptions {
  /** Delay after the first failure. Default 5 ms, like controller-runtime. */
  baseDelayMs?: number;
  /** Upper bound for any delay. Default 1000 s, like controller-runtime. */
  maxDelayMs?: number;
}

/**
 * Per-key exponential backoff: a key's n-th consecutive failure waits `baseDelayMs * 2^(n-1)`, capped at
 * `maxDelayMs`. Each key backs off on its own, so one broken object does not slow down the others; a
 * successful reconcile calls {@link ExponentialBackoffLimiter.forget} to reset it.
 */
export class ExponentialBackoffLimiter implements RateLimiter {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: ExponentialBackoffLimiterOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000_000;
    if (!(this.#baseDelayMs >= 0) || !Number.isFinite(this.#baseDelayMs)) {
      throw new RangeError(`baseDelayMs must be a finite number >= 0, got ${this.#baseDelayMs}`);
    }
    if (!(this.#maxDelayMs >= 0) || !Number.isFinite(this.#maxDelayMs)) {
      throw new RangeError(`maxDelayMs must be a finite number >= 0, got ${this.#maxDelayMs}`);
    }
  }

  /** Records one more failure of `key` and returns its backoff. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2 ** failures becomes Infinity past ~1023 failures; the cap keeps the result finite.
    return Math.min(this.#baseDelayMs * 2 ** failures, this.#maxDelayMs);
  }

  /** Resets `key` to the base delay. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Consecutive failures of `key` since it was last forgotten. */
  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}
