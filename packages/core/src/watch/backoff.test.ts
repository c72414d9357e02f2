import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  const exact = { jitter: 0 };

  it('retries a fresh outage within a second, then every few seconds, then doubles to the maximum', () => {
    const b = new Backoff(exact);
    const delays: number[] = [];
    // Attempts as a watcher makes them: each one after the previous delay (requests take no time here).
    for (let now = 0; now < 200_000; ) {
      const delay = b.next(now);
      delays.push(delay);
      now += delay;
    }
    expect(delays.slice(0, 4)).toEqual([250, 500, 1_000, 1_000]);
    // Quick window (10 s), then 3 s until the outage is a minute old.
    const at = (i: number): number => delays.slice(0, i).reduce((sum, d) => sum + d, 0);
    const firstSteady = delays.findIndex((_, i) => at(i) >= 10_000);
    expect(delays[firstSteady]).toBe(3_000);
    const firstGrowing = delays.findIndex((_, i) => at(i) >= 60_000);
    expect(delays.slice(firstGrowing, firstGrowing + 4)).toEqual([6_000, 12_000, 24_000, 30_000]);
    // At most one attempt per 3 s after the first 10 s.
    expect(delays.slice(firstSteady).every((d) => d >= 3_000)).toBe(true);
  });

  it('starts a new outage from the first delay once the watch was healthy', () => {
    const b = new Backoff(exact);
    for (let i = 0; i < 20; i++) b.next(i * 5_000);
    expect(b.next(100_000)).toBe(30_000);
    b.succeeded();
    expect(b.outageMs(200_000)).toBe(0);
    expect(b.next(200_000)).toBe(250);
    expect(b.outageMs(201_000)).toBe(1_000);
  });

  it('shortens delays by up to the jitter fraction, never lengthens them', () => {
    const b = new Backoff({ jitter: 0.25 });
    for (let i = 0; i < 50; i++) {
      const delay = b.next(0);
      expect(delay).toBeGreaterThanOrEqual(i < 2 ? 0 : 750);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });

  it('lets an explicit initial delay above the caps win, up to maxMs', () => {
    const b = new Backoff({ initialMs: 6_000, maxMs: 10_000, jitter: 0 });
    expect([b.next(0), b.next(6_000), b.next(12_000), b.next(70_000), b.next(80_000)]).toEqual([
      6_000, 6_000, 6_000, 6_000, 10_000,
    ]);
  });

  it('retries quickly again, once per outage, when an unreachable server starts answering with errors', () => {
    const b = new Backoff(exact);
    for (let t = 0; t < 30_000; t += 3_000) b.next(t);
    expect(b.next(30_000)).toBe(3_000);
    // Connection refused so far; now kcp answers 503 while it loads: sub-second retries again.
    expect([b.next(33_000, true), b.next(33_250, true), b.next(33_750, true)]).toEqual([250, 500, 1_000]);
    // Flapping back to unreachable and answering again does not restart the quick window a second time.
    b.next(34_750, false);
    expect(b.next(50_000, true)).toBe(3_000);
  });
});
