import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseResource } from '../client/builtins.ts';
import type { Aware, Cluster, ClusterName } from '../cluster/cluster.ts';
import { ClusterNotFoundError } from '../cluster/cluster.ts';
import { StaticProvider } from '../cluster/static-provider.ts';
import { silentLogger } from '../log/logger.ts';
import type { ReconcileContext } from '../reconcile/request.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { bucketOf } from './rendezvous.ts';
import { ShardedProvider } from './sharded-provider.ts';

// Roomy for a loaded machine: a renewal delayed past the renew deadline would (rightly) give a bucket up, and
// buckets change hands here by release, never by expiry, so longer Leases cost no time.
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 100, buckets: 16 };
const CLUSTERS = Array.from({ length: 12 }, (_, i) => `workspace-${i}`);

const until = (what: string, probe: () => boolean, timeoutMs = 8000): Promise<true> =>
  waitFor(() => probe() || undefined, { what, timeoutMs, intervalMs: 5 });

/** A stand-in for the manager: remembers which clusters are engaged now. */
class EngagedSet implements Aware {
  readonly engaged = new Set<ClusterName>();
  async engage(name: ClusterName, _cluster: Cluster, signal: AbortSignal): Promise<void> {
    this.engaged.add(name);
    signal.addEventListener('abort', () => this.engaged.delete(name), { once: true });
  }
}

/** A cluster object the static provider hands over as it is (nothing in it is used). */
const fakeCluster = (name: string): Cluster =>
  ({ name, client: {}, cache: {}, events: { record: () => {} } }) as unknown as Cluster;

const context = (): ReconcileContext =>
  ({
    signal: new AbortController().signal,
    log: silentLogger,
    reconcileID: 'r',
  }) as unknown as ReconcileContext;

// Timer-driven (Lease durations, retries): the waits below are the bounds; vitest's 5 s default would cut
// them short on a loaded machine.
describe('ShardedProvider', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [LeaseResource] });
  });
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
    await server.stop();
  });

  function replica(identity: string): { sharded: ShardedProvider; aware: EngagedSet } {
    const inner = new StaticProvider();
    for (const name of CLUSTERS) inner.add(name, fakeCluster(name));
    const sharded = new ShardedProvider(inner, {
      client: server.client(),
      identity,
      ...timings,
    });
    const aware = new EngagedSet();
    const stop = new AbortController();
    const run = sharded.start(aware, stop.signal);
    stops.push(async () => {
      stop.abort();
      await run;
    });
    return { sharded, aware };
  }

  it('engages each cluster on exactly one replica; fence and get refuse the others’', async () => {
    const a = replica('a');
    const b = replica('b');
    await until('every cluster engaged once', () => {
      const both = [...a.aware.engaged].filter((name) => b.aware.engaged.has(name));
      const split = a.aware.engaged.size > 0 && b.aware.engaged.size > 0;
      return split && a.aware.engaged.size + b.aware.engaged.size === CLUSTERS.length && both.length === 0;
    });
    expect(a.aware.engaged.size).toBeGreaterThan(0);
    expect(b.aware.engaged.size).toBeGreaterThan(0);
    expect(a.sharded.ownedClusterNames()).toEqual([...a.aware.engaged].toSorted());

    const onB = [...b.aware.engaged][0] as string;
    const ran: string[] = [];
    const fenced = a.sharded.fence(async (request) => {
      ran.push(request.cluster);
    });
    await fenced({ cluster: onB, namespace: 'default', name: 'x' }, context());
    expect(ran).toEqual([]);
    await expect(a.sharded.get(onB)).rejects.toThrow(ClusterNotFoundError);
    await expect(a.sharded.get(onB)).rejects.toThrow(
      `cluster "${onB}" is not engaged: replica a does not own it (sharding)`,
    );
    const onA = [...a.aware.engaged][0] as string;
    await fenced({ cluster: onA, namespace: 'default', name: 'x' }, context());
    expect(ran).toEqual([onA]);
    expect((await a.sharded.get(onA)).name).toBe(onA);
  });

  it('hands a cluster over only after its in-flight reconcile has finished', async () => {
    const a = replica('a');
    await until('a engages every cluster', () => a.aware.engaged.size === CLUSTERS.length);
    // Hold a reconcile open in every cluster on a; whichever buckets move to b must wait for them.
    const finish = Promise.withResolvers<void>();
    const running = new Set<string>();
    const fenced = a.sharded.fence(async (request) => {
      running.add(request.cluster);
      await finish.promise;
      running.delete(request.cluster);
    });
    const reconciles = CLUSTERS.map((cluster) =>
      fenced({ cluster, namespace: 'default', name: 'x' }, context()),
    );
    await until('every reconcile started', () => running.size === CLUSTERS.length);
    const b = replica('b');
    await until('a gives some clusters up', () => a.aware.engaged.size < CLUSTERS.length);
    const moving = CLUSTERS.filter((name) => !a.aware.engaged.has(name));
    // Longer than a lease: only the renewals of the draining replica keep b out.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(moving.filter((name) => b.aware.engaged.has(name))).toEqual([]);
    finish.resolve();
    await Promise.all(reconciles);
    await until('b engages the moved clusters', () => moving.every((name) => b.aware.engaged.has(name)));
    const movedBuckets = new Set(moving.map((name) => bucketOf(name, timings.buckets)));
    expect(movedBuckets.size).toBeGreaterThan(0);
  });
});
