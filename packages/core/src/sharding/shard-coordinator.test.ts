import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Lease, LeaseResource } from '../client/builtins.ts';
import { microTime } from '../manager/micro-time.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import {
  SHARDING_GROUP_LABEL,
  SHARDING_ROLE_LABEL,
  ShardCoordinator,
  type ShardCoordinatorHooks,
  type ShardingOptions,
} from './shard-coordinator.ts';

// Leases count whole seconds: 1 s is the shortest lease.
const timings = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100, buckets: 8 };

const until = (what: string, probe: () => boolean, timeoutMs = 8000): Promise<true> =>
  waitFor(() => probe() || undefined, { what, timeoutMs, intervalMs: 5 });

/** A coordinator with hooks that record what happens to its buckets, in order. */
class Replica {
  readonly events: string[] = [];
  readonly coordinator: ShardCoordinator;
  readonly stop = new AbortController();
  run: Promise<void> | undefined;
  /** How long `onStopping` takes (in-flight reconciles draining). */
  drainMs = 0;

  constructor(server: FakeApiServer, identity: string, options: Partial<ShardingOptions> = {}) {
    const hooks: ShardCoordinatorHooks = {
      load: () => [],
      onAcquired: (bucket) => this.events.push(`acquired ${bucket}`),
      onStopping: async (bucket, why) => {
        this.events.push(`stopping ${bucket} ${why}`);
        await sleep(this.drainMs);
        this.events.push(`stopped ${bucket}`);
      },
    };
    this.coordinator = new ShardCoordinator(
      { client: server.client(), identity, ...timings, ...options },
      hooks,
    );
  }

  start(): this {
    this.run = this.coordinator.run(this.stop.signal);
    return this;
  }

  active(): number[] {
    return Array.from({ length: this.coordinator.buckets }, (_, b) => b).filter((b) =>
      this.coordinator.isActive(b),
    );
  }

  async halt(): Promise<void> {
    this.stop.abort();
    await this.run;
  }
}

// Timer-driven (Lease durations, retries): the waits below are the bounds; vitest's 5 s default would cut
// them short on a loaded machine.
describe('ShardCoordinator', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  const replicas: Replica[] = [];
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [LeaseResource] });
  });
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.halt()));
    await server.stop();
  });

  const replica = (identity: string, options: Partial<ShardingOptions> = {}): Replica => {
    const r = new Replica(server, identity, options);
    replicas.push(r);
    return r;
  };
  const bucketLease = (bucket: number): Lease | undefined =>
    server.getObject<Lease>(LeaseResource, {
      namespace: 'default',
      name: `kubeloom-bucket-${String(bucket).padStart(3, '0')}`,
    });

  it('validates its settings', () => {
    expect(() => replica('a', { buckets: 0 })).toThrow(/buckets must be an integer from 1 to 4096, got 0/);
    expect(() => replica('a', { leaseDurationMs: 500 })).toThrow(/at least 1000/);
    expect(() => replica('a', { retryPeriodMs: 400 })).toThrow(
      /retryPeriodMs \(400\) < renewDeadlineMs \/ 2/,
    );
    replicas.splice(0);
  });

  it('spreads the buckets over two replicas with never a bucket active on both', async () => {
    const a = replica('a').start();
    await until('a holds every bucket', () => a.active().length === 8);
    const b = replica('b').start();
    const overlaps: number[] = [];
    const sampler = setInterval(() => {
      for (const bucket of a.active()) if (b.active().includes(bucket)) overlaps.push(bucket);
    }, 1);
    try {
      await until('both hold some and together all', () => {
        const all = new Set([...a.active(), ...b.active()]);
        return a.active().length > 0 && b.active().length > 0 && all.size === 8;
      });
    } finally {
      clearInterval(sampler);
    }
    expect(overlaps).toEqual([]);
    // A moved bucket was stopped on a before b took it; its Lease carries b with one more transition.
    const movedBucket = b.active()[0] as number;
    expect(a.events).toContain(`stopped ${movedBucket}`);
    expect(bucketLease(movedBucket)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // Member Leases are labelled so that one LIST finds the whole group.
    const members = server
      .objects<Lease>(LeaseResource)
      .filter((l) => l.metadata?.labels?.[SHARDING_ROLE_LABEL] === 'member');
    expect(members.map((l) => l.metadata?.name ?? '').toSorted((x, y) => x.localeCompare(y))).toEqual([
      'kubeloom-member-a',
      'kubeloom-member-b',
    ]);
    expect(members[0]?.metadata?.labels?.[SHARDING_GROUP_LABEL]).toBe('kubeloom');
  });

  it('keeps renewing a moving bucket while its reconciles drain and releases it only then', async () => {
    const a = replica('a').start();
    await until('a holds every bucket', () => a.active().length === 8);
    a.drainMs = 700; // longer than the lease: only renewing keeps b out
    const b = replica('b').start();
    await until('b holds a bucket', () => b.active().length > 0);
    const bucket = b.active()[0] as number;
    const stoppedAt = a.events.indexOf(`stopped ${bucket}`);
    expect(stoppedAt).toBeGreaterThan(a.events.indexOf(`stopping ${bucket} moved`));
    expect(stoppedAt).toBeGreaterThanOrEqual(0);
  });

  it('waits out a Lease another holder stopped renewing, measured on its own clock', async () => {
    // A Lease renewed "just now" by a crashed replica, by a remote clock that is ahead: ignored.
    server.seed(LeaseResource, [
      {
        metadata: {
          name: 'kubeloom-bucket-000',
          namespace: 'default',
          labels: { [SHARDING_GROUP_LABEL]: 'kubeloom', [SHARDING_ROLE_LABEL]: 'bucket' },
        },
        spec: {
          holderIdentity: 'crashed',
          leaseDurationSeconds: 1,
          renewTime: microTime(Date.now() + 60_000),
          acquireTime: microTime(Date.now()),
        },
      },
    ]);
    const started = Date.now();
    const a = replica('a', { buckets: 1 }).start();
    await until('a takes the bucket', () => a.active().includes(0));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(bucketLease(0)?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 1 });
  });

  it('stops a bucket at once when another replica is found holding its Lease (409 on renew)', async () => {
    const a = replica('a', { buckets: 1 }).start();
    await until('a takes the bucket', () => a.active().includes(0));
    const lease = bucketLease(0) as Lease;
    server.seed(LeaseResource, [{ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } }]);
    await until('a stops the bucket', () => a.events.includes('stopping 0 lost'));
    expect(a.active()).toEqual([]);
  });

  it('stops a bucket it cannot renew within the renew deadline, before the Lease expires', async () => {
    // The renew deadline stays short; the Lease lasts long enough after it that a loaded machine's late
    // timers cannot make a stop that followed the deadline look as if it came after the expiry.
    const a = replica('a', { buckets: 1, leaseDurationMs: 3000 }).start();
    await until('a takes the bucket', () => a.active().includes(0));
    server.faults.failNext({ status: 503, count: 1000, match: { method: 'PUT', path: /bucket-000$/ } });
    const failingFrom = Date.now();
    await until('a stops the bucket', () => a.events.includes('stopping 0 lost'));
    const stoppedAfter = Date.now() - failingFrom;
    expect(stoppedAfter).toBeLessThan(3000);
    server.faults.reset();
  });

  it('on shutdown stops every bucket, then releases the bucket and member Leases', async () => {
    // Leases that would take a minute to expire: the next replica can take them only because they were released.
    const slow = { buckets: 2, leaseDurationMs: 60_000, renewDeadlineMs: 30_000 };
    const a = replica('a', slow).start();
    await until('a holds both buckets', () => a.active().length === 2);
    await a.halt();
    expect(a.events.filter((e) => e.startsWith('stopped'))).toHaveLength(2);
    expect(bucketLease(0)?.spec?.holderIdentity).toBe('');
    expect(bucketLease(1)?.spec?.holderIdentity).toBe('');
    expect(
      server.getObject<Lease>(LeaseResource, { namespace: 'default', name: 'kubeloom-member-a' })?.spec
        ?.holderIdentity,
    ).toBe('');
    // A released Lease is taken by the next replica without waiting for it to expire.
    const b = replica('b', slow).start();
    await until('b holds both buckets', () => b.active().length === 2);
  });
});
