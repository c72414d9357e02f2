import { describe, expect, it } from 'vitest';
import { CoalescedRun } from './coalesced-run.ts';

describe('CoalescedRun', () => {
  it('shares a run with calls made during it and runs once more after it', async () => {
    let runs = 0;
    const firstRunMayEnd = Promise.withResolvers<void>();
    const coalesced = new CoalescedRun(
      async () => {
        runs++;
        if (runs === 1) await firstRunMayEnd.promise;
      },
      { onError: () => {} },
    );
    const first = coalesced.run();
    const second = coalesced.run();
    const third = coalesced.run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    firstRunMayEnd.resolve();
    await first;
    expect(runs).toBe(2);
    await coalesced.run();
    expect(runs).toBe(3);
  });

  it('starts no rerun once stopped', async () => {
    let stopped = false;
    let runs = 0;
    const coalesced = new CoalescedRun(
      async () => {
        runs++;
        await Promise.resolve();
        stopped = true;
      },
      { onError: () => {}, stopped: () => stopped },
    );
    const run = coalesced.run();
    void coalesced.run();
    await run;
    expect(runs).toBe(1);
  });

  it('hands a failure to onError instead of rejecting', async () => {
    const errors: unknown[] = [];
    const coalesced = new CoalescedRun(
      async () => {
        await Promise.resolve();
        throw new Error('scan failed');
      },
      { onError: (error) => errors.push(error) },
    );
    await coalesced.run();
    expect(errors.map((e) => (e as Error).message)).toEqual(['scan failed']);
  });
});
