import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onEveryTick, sharedTickerCount } from './shared-ticker.ts';

const stops: Array<() => void> = [];
// Fake timers: which callbacks a tick calls must not depend on how late a loaded machine runs them.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.useRealTimers();
});

describe('onEveryTick', () => {
  it('runs every callback of one period on one timer, and stops the timer with its last callback', () => {
    const before = sharedTickerCount();
    const calls = [0, 0, 0];
    for (const i of [0, 1, 2]) {
      stops.push(
        onEveryTick(20, () => {
          calls[i] = (calls[i] ?? 0) + 1;
        }),
      );
    }
    expect(sharedTickerCount()).toBe(before + 1);
    vi.advanceTimersByTime(19);
    expect(calls).toEqual([0, 0, 0]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([1, 1, 1]);
    vi.advanceTimersByTime(40);
    expect(calls).toEqual([3, 3, 3]);

    for (const stop of stops.splice(0)) stop();
    expect(sharedTickerCount()).toBe(before);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60);
    expect(calls).toEqual([3, 3, 3]);
  });

  it('gives different periods their own timer, and stopping twice is harmless', () => {
    const before = sharedTickerCount();
    const stopA = onEveryTick(1_000, () => {});
    const stopB = onEveryTick(2_000, () => {});
    expect(sharedTickerCount()).toBe(before + 2);
    stopA();
    stopA();
    expect(sharedTickerCount()).toBe(before + 1);
    stopB();
    expect(sharedTickerCount()).toBe(before);
  });

  it('does not call a callback that another one unsubscribed during the same tick', () => {
    let first = 0;
    let second = 0;
    const later: Array<() => void> = [];
    stops.push(
      onEveryTick(15, () => {
        first++;
        later.shift()?.();
      }),
    );
    later.push(
      onEveryTick(15, () => {
        second++;
      }),
    );
    vi.advanceTimersByTime(75);
    expect(first).toBe(5);
    expect(second).toBe(0);
  });
});
