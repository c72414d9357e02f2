import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucketLimiter } from './token-bucket-limiter.ts';

describe('TokenBucketLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a burst of 100 through at once, then spaces retries 100 ms apart (10 per second)', () => {
    const limiter = new TokenBucketLimiter();
    const burst = Array.from({ length: 100 }, (_, i) => limiter.when(`k${i}`));
    expect(burst.every((delay) => delay === 0)).toBe(true);
    const after = [1, 2, 3].map(() => limiter.when('x'));
    expect(after.map((delay) => Math.round(delay))).toEqual([100, 200, 300]);
  });

  it('refills over time, up to the burst size', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 2 });
    expect(limiter.when('a')).toBe(0);
    expect(limiter.when('a')).toBe(0);
    expect(Math.round(limiter.when('a'))).toBe(500);
    // The reserved token becomes available after 500 ms, the next one 500 ms later.
    vi.advanceTimersByTime(1000);
    expect(limiter.when('a')).toBe(0);
    expect(Math.round(limiter.when('a'))).toBe(500);
    // A long idle period refills only up to the burst.
    vi.advanceTimersByTime(60_000);
    expect(limiter.when('a')).toBe(0);
    expect(limiter.when('a')).toBe(0);
    expect(Math.round(limiter.when('a'))).toBe(500);
  });

  it('is shared by all keys: forget does nothing and retries stay 0', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.when('a')).toBe(0);
    limiter.forget('a');
    expect(Math.round(limiter.when('b'))).toBe(1000);
    expect(limiter.retries('a')).toBe(0);
  });

  it('rejects nonsensical options', () => {
    expect(() => new TokenBucketLimiter({ perSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ burst: 0 })).toThrow(RangeError);
  });
});
