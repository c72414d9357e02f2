/**
 * Decides how long a failed key waits before it is processed again. The work queue asks it on every
 * {@link WorkQueue.addRateLimited} and tells it to {@link RateLimiter.forget} a key once it succeeds, so a
 * limiter may keep per-key state (failure counts) and shared state (a token bucket). It is a small interface
 * of its own so that controllers can plug in their own policy, as controller-runtime allows.
 */
export interface RateLimiter {
  /**
   * The delay in milliseconds before `key` may be retried. Called once per retry, so it may record the
   * attempt (e.g. increase the key's failure count or take a token). Must return a finite number >= 0.
   */
  when(key: string): number;
  /** Drops what the limiter remembers about `key`: its next failure starts again from the base delay. */
  forget(key: string): void;
  /** How many times `key` has been rate limited since it was last forgotten (client-go's NumRequeues). */
  retries(key: string): number;
}
