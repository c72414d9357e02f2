import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRateLimiter } from './default-rate-limiter.ts';
import { ExponentialBackoffLimiter } from './exponential-backoff-limiter.ts';
import { MaxOfLimiter } from './max-of-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { TokenBucketLimiter } from './token-bucket-limiter.ts';

describe('MaxOfLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the longest delay and asks every limiter each time', () => {
    const backoff = new ExponentialBackoffLimiter({ baseDelayMs: 100 });
    const bucket = new TokenBucketLimiter({ perSecond: 1, burst: 1 });
    const limiter = new MaxOfLimiter(backoff, bucket);
    // Backoff 100 vs bucket 0; then backoff 200 vs bucket 1000 (the bucket was asked the first time too).
    expect(limiter.when('a')).toBe(100);
    expect(Math.round(limiter.when('a'))).toBe(1000);
    expect(backoff.retries('a')).toBe(2);
  });

  it('forgets in every limiter and reports the highest retry count', () => {
    const calls: string[] = [];
    const recording = (name: string, retries: number): RateLimiter => ({
      when: () => 0,
      forget: (key) => calls.push(`${name}:${key}`),
      retries: () => retries,
    });
    const limiter = new MaxOfLimiter(recording('one', 1), recording('two', 7), recording('three', 3));
    limiter.forget('k');
    expect(calls).toEqual(['one:k', 'two:k', 'three:k']);
    expect(limiter.retries('k')).toBe(7);
  });

  it('needs at least one limiter', () => {
    expect(() => new MaxOfLimiter()).toThrow(RangeError);
  });
});

describe('defaultRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is max(5 ms per-key backoff, 10/s burst 100 bucket)', () => {
    const limiter = defaultRateLimiter();
    expect([1, 2, 3].map(() => limiter.when('a'))).toEqual([5, 10, 20]);
    expect(limiter.retries('a')).toBe(3);
    // 97 more calls drain the burst; the backoff of fresh keys stays at 5 ms meanwhile.
    for (let i = 0; i < 97; i++) expect(limiter.when(`k${i}`)).toBe(5);
    // Now the bucket dominates a fresh key's 5 ms backoff.
    expect(Math.round(limiter.when('fresh'))).toBe(100);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });

  it('accepts options for both parts', () => {
    const limiter = defaultRateLimiter({ backoff: { baseDelayMs: 1, maxDelayMs: 2 }, bucket: { burst: 1 } });
    expect(limiter.when('a')).toBe(1);
    expect(Math.round(limiter.when('a'))).toBe(100);
  });
});
