import type { RateLimiter } from './rate-limiter.ts';

/** Options for {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /** Tokens added per second, i.e. the sustained retry rate. Default 10, like controller-runtime. */
  perSecond?: number;
  /** Bucket size: how many retries may happen at once before the rate applies. Default 100. */
  burst?: number;
}

/**
 * One token bucket shared by all keys: it bounds the overall retry rate of a queue, so that a storm of
 * failures (e.g. an API server outage) cannot turn into a storm of requests. The first `burst` calls
 * return 0; after that each call reserves the next free token, so successive delays are spaced
 * `1000 / perSecond` ms apart. Keys are not tracked, so {@link TokenBucketLimiter.forget} does nothing and
 * retries are always 0.
 */
export class TokenBucketLimiter implements RateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  // May go negative: every call reserves a token, also one that only becomes available in the future.
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketLimiterOptions = {}) {
    const perSecond = options.perSecond ?? 10;
    this.#burst = options.burst ?? 100;
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
      throw new RangeError(`perSecond must be a finite number > 0, got ${perSecond}`);
    }
    if (!(this.#burst >= 1) || !Number.isFinite(this.#burst)) {
      throw new RangeError(`burst must be a finite number >= 1, got ${this.#burst}`);
    }
    this.#perMs = perSecond / 1000;
    this.#tokens = this.#burst;
    this.#last = performance.now();
  }

  /** Reserves a token and returns how long to wait until it is available. */
  when(_key: string): number {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#perMs;
  }

  /** Nothing to forget: the bucket is shared by all keys. */
  forget(_key: string): void {}

  /** Always 0: the bucket does not count per key. */
  retries(_key: string): number {
    return 0;
  }
}
