import { afterEach, describe, expect, it } from 'vitest';
import { onEveryTick, sharedTickerCount } from './shared-ticker.ts';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('onEveryTick', () => {
  it('runs every callback of one period on one timer, and stops the timer with its last callback', async () => {
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
    await sleep(110);
    expect(calls.every((n) => n >= 2)).toBe(true);

    for (const stop of stops.splice(0)) stop();
    expect(sharedTickerCount()).toBe(before);
    const after = [...calls];
    await sleep(60);
    expect(calls).toEqual(after);
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

  it('does not call a callback that another one unsubscribed during the same tick', async () => {
    let second = 0;
    const later: Array<() => void> = [];
    stops.push(onEveryTick(15, () => later.shift()?.()));
    later.push(
      onEveryTick(15, () => {
        second++;
      }),
    );
    await sleep(80);
    expect(second).toBe(0);
  });
});
