import { describe, expect, it } from 'vitest';
import { ExponentialBackoffLimiter } from './exponential-backoff-limiter.ts';

describe('ExponentialBackoffLimiter', () => {
  it('doubles from 5 ms per failure of a key by default', () => {
    const limiter = new ExponentialBackoffLimiter();
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.retries('a')).toBe(5);
  });

  it('backs off each key on its own', () => {
    const limiter = new ExponentialBackoffLimiter();
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('b')).toBe(5);
    expect(limiter.retries('a')).toBe(2);
    expect(limiter.retries('b')).toBe(1);
    expect(limiter.retries('never')).toBe(0);
  });

  it('caps the delay at maxDelayMs (1000 s by default)', () => {
    const small = new ExponentialBackoffLimiter({ baseDelayMs: 5, maxDelayMs: 30 });
    expect([1, 2, 3, 4, 5].map(() => small.when('a'))).toEqual([5, 10, 20, 30, 30]);

    const standard = new ExponentialBackoffLimiter();
    const delays = Array.from({ length: 2000 }, () => standard.when('a'));
    // 5 ms * 2^17 = 655 s, 2^18 would be 1310 s.
    expect(delays[17]).toBe(655_360);
    expect(delays[18]).toBe(1_000_000);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(delays.every(Number.isFinite)).toBe(true);
  });

  it('forget resets the key to the base delay', () => {
    const limiter = new ExponentialBackoffLimiter({ baseDelayMs: 10 });
    limiter.when('a');
    limiter.when('a');
    limiter.when('b');
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
    expect(limiter.when('a')).toBe(10);
    expect(limiter.when('b')).toBe(20);
  });

  it('rejects nonsensical options', () => {
    expect(() => new ExponentialBackoffLimiter({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => new ExponentialBackoffLimiter({ maxDelayMs: Number.NaN })).toThrow(RangeError);
  });
});
