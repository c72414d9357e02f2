import type { RateLimiter } from './rate-limiter.ts';

/**
 * Combines limiters by taking the longest delay, e.g. a per-key backoff together with an overall token bucket
 * (the controller-runtime default). Every limiter is asked on each call, so each one records the attempt.
 */
export class MaxOfLimiter implements RateLimiter {
  readonly #limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfLimiter needs at least one limiter');
    this.#limiters = limiters;
  }

  /** The longest delay any limiter asks for. */
  when(key: string): number {
    let delay = 0;
    for (const limiter of this.#limiters) delay = Math.max(delay, limiter.when(key));
    return delay;
  }

  /** Forgets `key` in every limiter. */
  forget(key: string): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  /** The highest retry count any limiter reports. */
  retries(key: string): number {
    let retries = 0;
    for (const limiter of this.#limiters) retries = Math.max(retries, limiter.retries(key));
    return retries;
  }
}
