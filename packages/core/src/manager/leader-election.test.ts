import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Lease, LeaseResource } from '../client/builtins.ts';
import { silentLogger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { LeaderElector, type LeaderElectorOptions } from './leader-elector.ts';
import { Manager } from './manager.ts';
import type { ManagerOptions } from './manager-options.ts';
import { microTime } from './micro-time.ts';
import type { Runnable } from './runnable.ts';

// A Lease no test waits out: a loaded machine's late timers cannot make its holder step down, and a standby
// that gets it within a test got it because it was released.
const timings = { leaseDurationMs: 60_000, renewDeadlineMs: 30_000, retryPeriodMs: 50 };
// Leases count whole seconds: 1 s is the shortest, for the tests that wait one out (a takeover after a crash
// takes about a second) or a renew deadline pass (the longest a 1 s Lease allows, for the same reason).
const shortLease = { leaseDurationMs: 1000, renewDeadlineMs: 900, retryPeriodMs: 50 };
const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

const until = (what: string, probe: () => boolean, timeoutMs = 10_000): Promise<true> =>
  waitFor(() => probe() || undefined, { what, timeoutMs, intervalMs: 5 });

/** A leader-only runnable that records whether it runs. */
class Worker implements Runnable {
  readonly name = 'worker';
  readonly needLeaderElection = true;
  running = false;
  starts = 0;
  async start(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.starts++;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.running = false;
  }
}

describe('microTime', () => {
  it('formats Lease times with exactly six fractional digits', () => {
    expect(microTime(Date.parse('2026-01-01T00:00:00.000Z'))).toBe('2026-01-01T00:00:00.000000Z');
    expect(microTime(Date.parse('2026-05-06T07:08:09.123Z'))).toBe('2026-05-06T07:08:09.123000Z');
  });
});

// Timer-driven (Lease durations, retries): the waits below are the bounds; vitest's 5 s default would cut
// them short on a loaded machine.
describe('LeaderElector', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [LeaseResource] });
  });
  afterEach(async () => {
    await server.stop();
  });

  const lease = (): Lease | undefined =>
    server.getObject<Lease>(LeaseResource, { namespace: 'default', name: 'lock' });
  const elector = (identity: string, options: Partial<LeaderElectorOptions> = {}) =>
    new LeaderElector(server.client(), { leaseName: 'lock', identity, ...timings, ...options });

  it('validates its timings', () => {
    expect(() => elector('a', { leaseDurationMs: 500 })).toThrow(/at least 1000/);
    expect(() => elector('a', { ...shortLease, renewDeadlineMs: 1000 })).toThrow(
      /greater than renewDeadlineMs/,
    );
    expect(() => elector('a', { ...shortLease, renewDeadlineMs: 400, retryPeriodMs: 400 })).toThrow(
      /1.2 × retryPeriodMs/,
    );
    expect(() => elector('a', { leaseName: '' })).toThrow(/leaseName/);
  });

  it('creates the Lease with microsecond times, renews it, and releases it on abort', async () => {
    const stop = new AbortController();
    const a = elector('a');
    const outcome = a.run(stop.signal);
    await until('a leads', () => a.isLeader);
    const first = lease();
    expect(first?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 60, leaseTransitions: 0 });
    expect(first?.spec?.acquireTime).toMatch(MICRO);
    expect(first?.spec?.renewTime).toMatch(MICRO);
    await until('a renewed', () => lease()?.spec?.renewTime !== first?.spec?.renewTime);
    expect(lease()?.spec?.acquireTime).toBe(first?.spec?.acquireTime);
    stop.abort();
    expect(await outcome).toBe('released');
    expect(a.isLeader).toBe(false);
    expect(lease()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
  });

  it('still releases when its cached Lease went stale (a renew that reached the server as it was aborted)', async () => {
    const stop = new AbortController();
    const a = elector('a');
    const outcome = a.run(stop.signal);
    await until('a leads', () => a.isLeader);
    const current = lease();
    // Same holder, new resourceVersion: what an aborted-but-applied renew leaves behind.
    server.seed(LeaseResource, [
      { ...current, spec: { ...current?.spec, renewTime: microTime(Date.now()) } },
    ]);
    stop.abort();
    expect(await outcome).toBe('released');
    expect(lease()?.spec?.holderIdentity).toBe('');
  });

  it('elects exactly one of several candidates racing for a new Lease', async () => {
    const stop = new AbortController();
    const started: string[] = [];
    const candidates = ['a', 'b', 'c'].map((id) => elector(id, { onStartedLeading: () => started.push(id) }));
    const runs = candidates.map((c) => c.run(stop.signal));
    await until('someone leads', () => candidates.some((c) => c.isLeader));
    const leader = candidates.find((c) => c.isLeader);
    // Each of the others reads the Lease again after it was taken, and must leave it to the leader.
    await sleep(200);
    await until('every candidate to have seen the leader', () =>
      candidates.every((c) => c.observedLeader === leader?.identity),
    );
    expect(started).toEqual([leader?.identity]);
    expect(candidates.filter((c) => c.isLeader)).toEqual([leader]);
    expect(lease()?.spec?.holderIdentity).toBe(leader?.identity);
    stop.abort();
    await Promise.all(runs);
  });

  it('takes over an abandoned Lease only after its duration of locally observed time, counting the transition', async () => {
    const stopA = new AbortController();
    const a = elector('a', { ...shortLease, releaseOnCancel: false });
    const runA = a.run(stopA.signal);
    await until('a leads', () => a.isLeader);
    const stopB = new AbortController();
    const b = elector('b');
    const runB = b.run(stopB.signal);
    await sleep(150);
    expect(b.isLeader).toBe(false);
    stopA.abort();
    expect(await runA).toBe('released');
    expect(lease()?.spec?.holderIdentity).toBe('a');
    // When a's last write of the Lease (its create or a renew) arrived: b cannot have seen the record change
    // before then.
    const writes = server.requests.filter(
      (r) =>
        (r.method === 'PUT' && r.path.endsWith('/leases/lock') && r.status === 200) ||
        (r.method === 'POST' && r.path.endsWith('/leases') && r.status === 201),
    );
    expect(writes.length).toBeGreaterThan(0);
    const lastWrite = Math.max(...writes.map((r) => r.at));
    // Not before the Lease's duration (1 s) has passed since then: that is the point. The wait only says that
    // b does take over; it is loose because a loaded machine delays b's retries.
    await until('b takes over', () => b.isLeader, 10_000);
    expect(Date.now() - lastWrite).toBeGreaterThanOrEqual(1000);
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    stopB.abort();
    await runB;
  });

  it('does not trust the remote renewTime: a Lease with an old renewTime but a fresh change is still held', async () => {
    // The holder's clock is far behind: its renewTime looks ancient, but the record keeps changing.
    server.seed(LeaseResource, [
      {
        metadata: { name: 'lock', namespace: 'default' },
        spec: {
          holderIdentity: 'skewed',
          leaseDurationSeconds: 2,
          renewTime: microTime(0),
          acquireTime: microTime(0),
        },
      },
    ]);
    const bump = setInterval(() => {
      const current = lease();
      if (current)
        server.seed(LeaseResource, [
          { ...current, spec: { ...current.spec, renewTime: microTime(Math.floor(Math.random() * 1000)) } },
        ]);
    }, 100);
    const stop = new AbortController();
    const b = elector('b');
    const run = b.run(stop.signal);
    // Longer than the Lease's 2 s (a loaded machine may delay a bump by a second without b taking over).
    await sleep(2500);
    expect(b.isLeader).toBe(false);
    clearInterval(bump);
    await until('b takes over once the record stops changing', () => b.isLeader);
    stop.abort();
    await run;
  });

  it('survives a 409 on renew and keeps leading', async () => {
    const stop = new AbortController();
    const a = elector('a');
    const run = a.run(stop.signal);
    await until('a leads', () => a.isLeader);
    server.faults.failNext({
      status: 409,
      reason: 'Conflict',
      match: { method: 'PUT', path: '/leases/lock' },
    });
    await until('the conflict was consumed', () => server.faults.pendingFailures === 0);
    const before = lease()?.spec?.renewTime;
    await until('renewed after the conflict', () => lease()?.spec?.renewTime !== before);
    expect(a.isLeader).toBe(true);
    stop.abort();
    expect(await run).toBe('released');
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const stop = new AbortController();
    let lost = 0;
    const a = elector('a', { ...shortLease, onStoppedLeading: () => lost++ });
    const run = a.run(stop.signal);
    await until('a leads', () => a.isLeader);
    server.faults.failNext({ status: 500, count: 1000, match: { path: '/leases' } });
    expect(await run).toBe('lost');
    // Not before the renew deadline (900 ms) counted from the last renew that succeeded, which ended after
    // it reached the server. (Counted from when the failures began it could be shorter on a loaded machine.)
    const renewals = server.requests.filter(
      (r) =>
        (r.method === 'PUT' || r.method === 'POST') &&
        r.path.includes('/leases') &&
        r.status &&
        r.status < 300,
    );
    expect(renewals.length).toBeGreaterThan(0);
    expect(Date.now() - Math.max(...renewals.map((r) => r.at))).toBeGreaterThanOrEqual(900);
    expect(a.isLeader).toBe(false);
    expect(lost).toBe(1);
    server.faults.reset();
  });

  it('steps down at once when another holder is observed', async () => {
    const stop = new AbortController();
    const a = elector('a');
    const run = a.run(stop.signal);
    await until('a leads', () => a.isLeader);
    const current = lease();
    // An admin (or a partitioned peer) took the lease; the fast-path PUT now conflicts and the read shows it.
    server.seed(LeaseResource, [{ ...current, spec: { ...current?.spec, holderIdentity: 'intruder' } }]);
    expect(await run).toBe('lost');
    expect(a.observedLeader).toBe('intruder');
  });
});

describe('Manager leader election', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  const managers: Array<{ manager: Manager; done: Promise<unknown> }> = [];

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [LeaseResource] });
  });
  afterEach(async () => {
    await Promise.all(
      managers.splice(0).map(async ({ manager, done }) => {
        await manager.stop();
        await done;
      }),
    );
    await server.stop();
  });

  async function start(
    identity: string,
    options: Partial<ManagerOptions> = {},
    releaseOnCancel = true,
    leaseTimings = timings,
  ) {
    const worker = new Worker();
    const manager = new Manager({
      local: server.client(),
      logger: silentLogger,
      defaultMetrics: false,
      leaderElection: {
        leaseName: 'shop-lock',
        leaseNamespace: 'default',
        identity,
        releaseOnCancel,
        ...leaseTimings,
      },
      onLeadershipLost: () => {},
      ...options,
    });
    manager.add(worker);
    const done = manager.start().catch((error: unknown) => error);
    managers.push({ manager, done });
    await manager.started;
    return { manager, worker, done };
  }

  const holder = () =>
    server.getObject<Lease>(LeaseResource, { namespace: 'default', name: 'shop-lock' })?.spec?.holderIdentity;

  it('runs leader-only runnables on exactly one manager; release on shutdown hands over at once', async () => {
    // The Lease would take a minute to expire: b can take over only because a released it.
    const a = await start('a');
    await a.manager.elected;
    const b = await start('b');
    await sleep(150);
    expect(a.manager.isLeader).toBe(true);
    expect(b.manager.isLeader).toBe(false);
    expect(a.worker.running).toBe(true);
    expect(b.worker.starts).toBe(0);
    const metrics = await b.manager.registry.metrics();
    expect(metrics).toContain('leader_election_master_status{name="shop-lock"} 0');
    expect(await a.manager.registry.metrics()).toContain('leader_election_master_status{name="shop-lock"} 1');

    await a.manager.stop();
    expect(a.worker.running).toBe(false);
    expect(holder()).not.toBe('a');
    await b.manager.elected;
    expect(b.worker.running).toBe(true);
    expect(holder()).toBe('b');
  });

  it('a standby is ready without being leader', async () => {
    await start('a');
    const b = await start('b');
    await until('b ready', () => b.manager.ready);
    expect(b.manager.isLeader).toBe(false);
  });

  it('aborts leader-only runnables when leadership is lost and calls onLeadershipLost', async () => {
    let lostCalls = 0;
    const a = await start('a', { onLeadershipLost: () => lostCalls++ }, true, shortLease);
    await a.manager.elected;
    expect(a.worker.running).toBe(true);
    server.faults.failNext({ status: 503, count: 1000, match: { path: '/leases' } });
    await until('leadership lost', () => lostCalls === 1);
    expect(a.manager.isLeader).toBe(false);
    expect(a.worker.running).toBe(false);
    expect(await a.manager.registry.metrics()).toContain('leader_election_master_status{name="shop-lock"} 0');
    server.faults.reset();
  });

  it('by default stops the manager with exit code 1 when leadership is lost', async () => {
    const previous = process.exitCode;
    try {
      const a = await start('a', { onLeadershipLost: undefined as never }, true, shortLease);
      await a.manager.elected;
      server.faults.failNext({ status: 503, count: 1000, match: { path: '/leases' } });
      await a.done;
      expect(process.exitCode).toBe(1);
      expect(a.worker.running).toBe(false);
    } finally {
      process.exitCode = previous;
      server.faults.reset();
    }
  });
});
