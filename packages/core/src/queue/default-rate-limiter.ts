import {
  ExponentialBackoffLimiter,
  type ExponentialBackoffLimiterOptions,
} from './exponential-backoff-limiter.ts';
import { MaxOfLimiter } from './max-of-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { TokenBucketLimiter, type TokenBucketLimiterOptions } from './token-bucket-limiter.ts';

/** Options for {@link defaultRateLimiter}; each part keeps its own defaults. */
export interface DefaultRateLimiterOptions {
  /** Per-key backoff; default 5 ms doubling up to 1000 s. */
  backoff?: ExponentialBackoffLimiterOptions;
  /** Overall bucket; default 10 per second with a burst of 100. */
  bucket?: TokenBucketLimiterOptions;
}

/**
 * The rate limiter a work queue uses unless told otherwise, the same policy as controller-runtime's
 * default: the longer of a per-key exponential backoff (5 ms doubling up to 1000 s) and an overall token
 * bucket (10 per second, burst 100). Returns a new limiter each call, because limiters hold state.
 */
export function defaultRateLimiter(options: DefaultRateLimiterOptions = {}): RateLimiter {
  return new MaxOfLimiter(
    new ExponentialBackoffLimiter(options.backoff),
    new TokenBucketLimiter(options.bucket),
  );
}
