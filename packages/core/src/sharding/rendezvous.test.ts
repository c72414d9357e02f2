import { describe, expect, it } from 'vitest';
import { assignBuckets, bucketOf, rankMembers } from './rendezvous.ts';

const names = (count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i.toString(36)}-workspace`);

const loadOf = (workspaces: readonly string[], buckets: number): number[] => {
  const load = Array.from({ length: buckets }, () => 0);
  for (const w of workspaces) load[bucketOf(w, buckets)] = (load[bucketOf(w, buckets)] ?? 0) + 1;
  return load;
};

/** Workspaces per member under an assignment. */
const shares = (
  workspaces: readonly string[],
  owners: readonly string[],
  buckets: number,
): Map<string, number> => {
  const count = new Map<string, number>();
  for (const w of workspaces) {
    const owner = owners[bucketOf(w, buckets)] as string;
    count.set(owner, (count.get(owner) ?? 0) + 1);
  }
  return count;
};

/** Fraction of workspaces whose owner differs between two assignments. */
const moved = (load: readonly number[], before: readonly string[], after: readonly string[]): number => {
  let total = 0;
  let changed = 0;
  load.forEach((n, bucket) => {
    total += n;
    if (before[bucket] !== after[bucket]) changed += n;
  });
  return changed / total;
};

// Thousands of assignments: CPU work that a loaded machine slows several times over.
describe('bucketOf', { timeout: 30_000 }, () => {
  it('spreads names evenly and never changes a name’s bucket', () => {
    const load = loadOf(names(10_000, 'even'), 64);
    for (const n of load) expect(Math.abs(n - 10_000 / 64) / (10_000 / 64)).toBeLessThan(0.25);
    expect(bucketOf('root:org:team', 64)).toBe(bucketOf('root:org:team', 64));
  });
});

describe('rankMembers', () => {
  it('does not depend on the order members are given in', () => {
    expect(rankMembers(7, ['a', 'b', 'c', 'd'])).toEqual(rankMembers(7, ['d', 'c', 'b', 'a']));
  });
});

describe('assignBuckets', { timeout: 30_000 }, () => {
  it('is the same on every replica whatever order it lists the members in', () => {
    const load = loadOf(names(500, 'same'), 64);
    expect(assignBuckets({ buckets: 64, members: ['x', 'y', 'z'], load })).toEqual(
      assignBuckets({ buckets: 64, members: ['z', 'x', 'y'], load }),
    );
  });

  it('keeps 30 workspaces over 3 replicas within ±30 % of even, for any of 50 sets of names', () => {
    for (let trial = 0; trial < 50; trial++) {
      const workspaces = names(30, `balance${trial}`);
      const members = [`r${trial}-a`, `r${trial}-b`, `r${trial}-c`];
      const owners = assignBuckets({ buckets: 64, members, load: loadOf(workspaces, 64) });
      const count = shares(workspaces, owners, 64);
      for (const member of members) {
        expect(count.get(member) ?? 0).toBeGreaterThanOrEqual(7);
        expect(count.get(member) ?? 0).toBeLessThanOrEqual(13);
      }
    }
  });

  it('moves only the buckets a joining replica takes, about 1/N, in plain rendezvous mode', () => {
    const workspaces = names(2000, 'plain');
    const load = loadOf(workspaces, 128);
    const before = assignBuckets({ buckets: 128, members: ['a', 'b', 'c'], load, balanceSlack: Infinity });
    const after = assignBuckets({
      buckets: 128,
      members: ['a', 'b', 'c', 'd'],
      load,
      balanceSlack: Infinity,
    });
    const changed = before.flatMap((owner, bucket) => (owner === after[bucket] ? [] : [bucket]));
    expect(new Set(changed.map((bucket) => after[bucket]))).toEqual(new Set(['d']));
    expect(moved(load, before, after)).toBeGreaterThan(0.15);
    expect(moved(load, before, after)).toBeLessThan(0.35);
    const left = assignBuckets({ buckets: 128, members: ['a', 'c'], load, balanceSlack: Infinity });
    const changedOnLeave = before.flatMap((owner, bucket) => (owner === left[bucket] ? [] : [bucket]));
    expect(new Set(changedOnLeave.map((bucket) => before[bucket]))).toEqual(new Set(['b']));
  });

  it('with the load bound, a join or leave moves little more than the minimum', () => {
    let join = 0;
    let extraOnLeave = 0;
    const trials = 20;
    for (let trial = 0; trial < trials; trial++) {
      const workspaces = names(1000, `bounded${trial}`);
      const load = loadOf(workspaces, 128);
      const three = [`t${trial}-a`, `t${trial}-b`, `t${trial}-c`];
      const before = assignBuckets({ buckets: 128, members: three, load });
      const joined = assignBuckets({ buckets: 128, members: [...three, `t${trial}-d`], load });
      join += moved(load, before, joined);
      const left = assignBuckets({ buckets: 128, members: three.slice(1), load });
      const survivors = before.map((owner) => (owner === three[0] ? 'gone' : owner));
      const stayed = left.map((owner, bucket) => (before[bucket] === three[0] ? 'gone' : owner));
      extraOnLeave += moved(load, survivors, stayed);
    }
    // The minimum is 1/4 on a join to four replicas and 0 beyond the leaver's own on a leave.
    expect(join / trials).toBeLessThan(0.3);
    expect(extraOnLeave / trials).toBeLessThan(0.05);
  });

  it('gives every bucket to the only member, and nothing without members', () => {
    expect(new Set(assignBuckets({ buckets: 8, members: ['solo'] }))).toEqual(new Set(['solo']));
    expect(assignBuckets({ buckets: 8, members: [] })).toEqual([]);
  });
});
