import { describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/cluster.ts';
import { recordingAware } from '../testing/recording-aware.ts';
import { linkedChildCount } from '../util/linked-abort.ts';
import { ClusterFanOut } from './cluster-fan-out.ts';

const cluster = (name: string): Cluster => ({ name }) as unknown as Cluster;

describe('ClusterFanOut', () => {
  it('ends each engagement with its provider signal or its runnable, and keeps nothing on either after', async () => {
    const fanOut = new ClusterFanOut();
    const run = new AbortController();
    const aware = recordingAware();
    await fanOut.attach(aware, 'controller', run.signal);
    const provider = new AbortController();
    fanOut.engage('a', cluster('a'), provider.signal);
    fanOut.engage('b', cluster('b'), provider.signal);
    await fanOut.idle();
    expect(aware.live()).toEqual(['a', 'b']);
    expect(linkedChildCount(run.signal)).toBe(2);
    provider.abort();
    expect(aware.live()).toEqual([]);
    expect(fanOut.size).toBe(0);
    expect(linkedChildCount(run.signal)).toBe(0);
    expect(linkedChildCount(provider.signal)).toBe(0);
  });

  it('a replaced engagement ending later leaves the engagement that replaced it alone', async () => {
    const fanOut = new ClusterFanOut();
    const aware = recordingAware();
    await fanOut.attach(aware, 'controller', new AbortController().signal);
    const first = new AbortController();
    fanOut.engage('a', cluster('a'), first.signal);
    await fanOut.idle();
    const second = new AbortController();
    const replacement = cluster('a');
    fanOut.engage('a', replacement, second.signal);
    await fanOut.idle();
    expect(aware.engaged.map((e) => e.signal.aborted)).toEqual([true, false]);
    first.abort();
    expect(aware.engaged.map((e) => e.signal.aborted)).toEqual([true, false]);
    expect(fanOut.get('a')).toBe(replacement);
  });
});
