import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, onTestFailed, vi } from 'vitest';
import { WorkQueue } from './work-queue.ts';

/** Small seeded PRNG (mulberry32), so that a failure can be replayed with the logged seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('WorkQueue under load', () => {
  it('never processes a key on two workers at once and loses no add (5,000 adds, 200 keys, 8 workers)', async () => {
    const seed = Date.now() % 1_000_000;
    onTestFailed(() => {
      console.error(`WorkQueue load test failed with seed ${seed}`);
    });
    const random = seededRandom(seed);
    const totalAdds = 5000;
    const keyCount = 200;
    const concurrency = 8;
    const randomKey = (): string => `key-${Math.floor(random() * keyCount)}`;

    // A logical clock orders adds and processing starts: every add of a key must be followed by a start.
    let clock = 0;
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    const activePerKey = new Map<string, number>();
    let maxActivePerKey = 0;
    let active = 0;
    let maxActive = 0;
    let adds = 0;
    let processings = 0;
    const addsLeft = (): number => totalAdds - adds;
    const errors: unknown[] = [];

    const queue = new WorkQueue({
      // Accepted adds, including delayed ones when they fire.
      observer: { added: (key) => lastAdd.set(key, ++clock) },
      onError: (error) => errors.push(error),
    });
    const add = (key: string): void => {
      adds++;
      // Deduplicated adds are recorded too: the waiting key they merged into must still start later.
      lastAdd.set(key, ++clock);
      if (random() < 0.1) queue.addAfter(key, Math.floor(random() * 3));
      else queue.add(key);
    };

    const run = queue.run(
      async (key) => {
        lastStart.set(key, ++clock);
        processings++;
        const perKey = (activePerKey.get(key) ?? 0) + 1;
        activePerKey.set(key, perKey);
        maxActivePerKey = Math.max(maxActivePerKey, perKey);
        maxActive = Math.max(maxActive, ++active);
        try {
          // Mostly short work, sometimes long enough for the queue to drain around it.
          const turns = random() < 0.15 ? 10 + Math.floor(random() * 20) : Math.floor(random() * 3);
          for (let i = 0; i < turns; i++) {
            await nextTurn();
            // Adds during processing, often of the key being processed.
            if (addsLeft() > 0 && random() < 0.2) add(random() < 0.5 ? key : randomKey());
          }
          if (random() < 0.05) throw new Error(`flaky ${key}`);
        } finally {
          activePerKey.set(key, perKey - 1);
          active--;
        }
      },
      { concurrency },
    );

    while (addsLeft() > 0) {
      const batch = 1 + Math.floor(random() * 20);
      for (let i = 0; i < batch && addsLeft() > 0; i++) add(randomKey());
      // Pauses of varying length: sometimes the queue is long, sometimes it runs dry.
      const pause = random();
      if (pause < 0.1) for (let i = 0; i < 20; i++) await nextTurn();
      else if (pause < 0.6) await nextTurn();
      else await Promise.resolve();
    }
    await vi.waitFor(
      () => {
        expect(queue.len + queue.processing + queue.delayed).toBe(0);
      },
      { timeout: 10_000, interval: 5 },
    );

    expect(adds).toBe(totalAdds);
    expect(maxActivePerKey).toBe(1);
    expect(maxActive).toBe(concurrency);
    expect(lastAdd.size).toBe(keyCount);
    const lost = [...lastAdd].filter(([key, addedAt]) => !((lastStart.get(key) ?? -1) > addedAt));
    expect(lost).toEqual([]);
    // Deduplication did its job: far fewer processings than adds.
    expect(processings).toBeLessThan(totalAdds);
    expect(errors.length).toBeGreaterThan(0);

    queue.shutdown();
    await run;
  });
});
