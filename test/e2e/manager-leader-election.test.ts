import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  ClientEventRecorder,
  type Cluster,
  type ConfigMap,
  ConfigMapResource,
  ControllerBuilder,
  InformerCache,
  JsonLogger,
  type Lease,
  LeaseResource,
  Manager,
  StaticProvider,
  createOrUpdate,
  predicateFn,
  waitFor,
} from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

/** Fast election settings so that takeovers happen within seconds. */
const LEASE_DURATION_MS = 4000;
const RENEW_DEADLINE_MS = 3000;
const RETRY_PERIOD_MS = 500;
/** client-go's jitter factor: acquire attempts are `retryPeriod × (1 + random × 1.2)` apart. */
const MAX_RETRY_INTERVAL_MS = RETRY_PERIOD_MS * 2.2;
const LEASE_NAME = 'e2e-leader-election';

const MANAGED = 'e2e.kubeloom.io/managed';

const report = (line: string): void => {
  process.stderr.write(`[manager-leader-election] ${line}\n`);
};

/** One operator replica: a manager with leader election and a ConfigMap controller in the tenant workspace. */
interface Replica {
  readonly name: string;
  readonly manager: Manager;
  /** Names of the ConfigMaps this replica reconciled, in order. */
  readonly reconciled: string[];
  /** How many times `onLeadershipLost` was called. */
  readonly lost: number;
  /** Starts the manager. */
  start(): Promise<void>;
  /** Stops the manager and waits for `start` to return. */
  stop(): Promise<void>;
}

interface Setup {
  readonly kcp: KcpTestEnvironment;
  /** The workspace of the Lease: every replica's local cluster. */
  readonly leaseWorkspace: KcpWorkspace;
  /** The workspace the controllers reconcile, engaged as provider cluster `tenant`. */
  readonly tenant: Client;
  readonly tenantWorkspace: KcpWorkspace;
  /** Stopped when the test finishes, before the kcp connections are closed. */
  readonly replicas: Replica[];
}

async function setup(): Promise<Setup> {
  const kcp = await sharedKcp();
  const replicas: Replica[] = [];
  onTestFinished(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await kcp.stop();
  });
  const [leaseWorkspace, tenantWorkspace] = await Promise.all([
    kcp.createWorkspace({ generateName: 'e2e-le-lease-' }),
    kcp.createWorkspace({ generateName: 'e2e-le-tenant-' }),
  ]);
  return { kcp, leaseWorkspace, tenantWorkspace, tenant: kcp.clientFor(tenantWorkspace.path), replicas };
}

interface ReplicaOptions {
  /** Release the Lease on graceful shutdown (default true); false behaves like a replica that crashed. */
  releaseOnCancel?: boolean;
  /** How long the reconcile of a ConfigMap named `slow` takes. */
  slowReconcileMs?: number;
  /** Called when the reconcile of `slow` starts and ends. */
  onSlow?: (phase: 'start' | 'end') => void;
}

function replica(s: Setup, name: string, options: ReplicaOptions = {}): Replica {
  const lifetime = new AbortController();
  const logger = new JsonLogger({
    level: 'warn',
    destination: process.stderr,
    bindings: { test: 'manager-leader-election', replica: name },
  });
  // The tenant workspace through a cache scoped to its logical cluster (objects read through
  // /clusters/<path> carry kcp.io/cluster: <logical cluster>).
  const tenantClient = s.kcp.clientFor(s.tenantWorkspace.path);
  const tenant: Cluster = {
    name: 'tenant',
    client: tenantClient,
    cache: new InformerCache(tenantClient, lifetime.signal, { scope: s.tenantWorkspace.clusterName }),
    events: new ClientEventRecorder(tenantClient, { component: 'kubeloom-e2e', signal: lifetime.signal }),
  };
  const provider = new StaticProvider();
  provider.add('tenant', tenant);
  let lost = 0;
  const manager = new Manager({
    // A client with connections of its own: the manager closes its local client's connections on stop.
    local: Client.fromKubeConfig({ path: s.kcp.kubeconfigPath }).withServer(
      `/clusters/${s.leaseWorkspace.path}`,
    ),
    provider,
    logger,
    defaultMetrics: false,
    leaderElection: {
      leaseName: LEASE_NAME,
      leaseNamespace: 'default',
      identity: name,
      leaseDurationMs: LEASE_DURATION_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_PERIOD_MS,
      ...(options.releaseOnCancel !== undefined ? { releaseOnCancel: options.releaseOnCancel } : {}),
    },
    // Keep running (the default would set process.exitCode and stop): the test inspects what happens next.
    onLeadershipLost: () => {
      lost++;
    },
  });
  const reconciled: string[] = [];
  const controller = new ControllerBuilder('configmaps')
    .for(ConfigMapResource, {
      predicates: [predicateFn<ConfigMap>((cm) => cm.metadata?.labels?.[MANAGED] === 'true')],
    })
    .withOptions({ logger: manager.logger, metrics: manager.controllerMetrics })
    .build(async (request, ctx) => {
      reconciled.push(request.name);
      if (request.name === 'slow') {
        // The reconcile does its work without ctx.signal: what is under test is that stop() waits for it.
        options.onSlow?.('start');
        await sleep(options.slowReconcileMs ?? 1000);
      }
      await createOrUpdate(
        ctx.cluster.client,
        ConfigMapResource,
        { name: request.name, namespace: request.namespace },
        (cm) => {
          cm.data = { ...cm.data, reconciledBy: name };
        },
      );
      if (request.name === 'slow') options.onSlow?.('end');
    });
  manager.add(controller);

  let run: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await manager.stop();
    await run;
    lifetime.abort();
  };
  const self: Replica = {
    name,
    manager,
    reconciled,
    get lost() {
      return lost;
    },
    async start() {
      run = manager.start();
      await manager.started;
    },
    stop,
  };
  s.replicas.push(self);
  return self;
}

async function createManaged(client: Client, name: string): Promise<void> {
  await client.create(ConfigMapResource, {
    metadata: { name, namespace: 'default', labels: { [MANAGED]: 'true' } },
    data: {},
  });
}

async function untilReconciledBy(client: Client, name: string, replicaName: string): Promise<void> {
  let last: string | undefined;
  await waitFor(
    async () => {
      const cm = await client.get(ConfigMapResource, name, { namespace: 'default' });
      last = cm.data?.reconciledBy;
      return last === replicaName;
    },
    {
      what: `ConfigMap default/${name} to be reconciled by ${replicaName}`,
      timeoutMs: 30_000,
      intervalMs: 100,
      describe: () => `reconciledBy=${last ?? '(none)'}`,
    },
  );
}

function readLease(s: Setup): Promise<Lease> {
  return s.kcp.clientFor(s.leaseWorkspace.path).get(LeaseResource, LEASE_NAME, { namespace: 'default' });
}

/** The first of the replicas to be elected. */
function firstElected(replicas: readonly Replica[]): Promise<Replica> {
  return Promise.race(replicas.map((r) => r.manager.elected.then(() => r)));
}

describe('leader election between two managers on a Lease in a kcp workspace', () => {
  it('lets only the leader reconcile; a graceful stop hands over within the lease duration', async () => {
    const s = await setup();
    const replicas = [replica(s, 'replica-a'), replica(s, 'replica-b')];
    await Promise.all(replicas.map((r) => r.start()));
    const leader = await firstElected(replicas);
    const standby = replicas.find((r) => r !== leader);
    if (!standby) throw new Error('unreachable: two replicas');

    await createManaged(s.tenant, 'one');
    await untilReconciledBy(s.tenant, 'one', leader.name);
    // Several retry periods in which a misbehaving standby would have reconciled too.
    await sleep(4 * RETRY_PERIOD_MS);
    expect(leader.manager.isLeader).toBe(true);
    expect(standby.manager.isLeader).toBe(false);
    expect(leader.reconciled).toContain('one');
    expect(standby.reconciled).toEqual([]);
    const held = await readLease(s);
    expect(held.spec?.holderIdentity).toBe(leader.name);
    expect(held.spec?.leaseDurationSeconds).toBe(LEASE_DURATION_MS / 1000);

    const stopCalled = performance.now();
    const takeover = standby.manager.elected.then(() => performance.now() - stopCalled);
    await leader.stop();
    const stopMs = performance.now() - stopCalled;
    const takeoverMs = await takeover;
    report(
      `graceful handover: the leader's stop() took ${stopMs.toFixed(0)} ms; the standby was elected ${takeoverMs.toFixed(0)} ms after stop() was called (lease duration ${LEASE_DURATION_MS} ms)`,
    );
    // The leader released the Lease, so the standby did not wait for it to expire.
    expect(takeoverMs).toBeLessThan(LEASE_DURATION_MS);
    expect(standby.manager.isLeader).toBe(true);

    await createManaged(s.tenant, 'two');
    await untilReconciledBy(s.tenant, 'two', standby.name);
    expect(leader.reconciled).not.toContain('two');
    const taken = await readLease(s);
    expect(taken.spec?.holderIdentity).toBe(standby.name);
    expect(taken.spec?.leaseTransitions ?? 0).toBeGreaterThanOrEqual(1);
    expect(leader.lost + standby.lost).toBe(0);
  });

  it('replaces a leader that stopped without releasing the Lease once the Lease expires', async () => {
    const s = await setup();
    const a = replica(s, 'crashing-a', { releaseOnCancel: false });
    const b = replica(s, 'standby-b');
    await a.start();
    await a.manager.elected;
    await b.start();
    await createManaged(s.tenant, 'one');
    await untilReconciledBy(s.tenant, 'one', a.name);

    const stopCalled = performance.now();
    const takeover = b.manager.elected.then(() => performance.now() - stopCalled);
    await a.stop();
    // Nobody released the Lease: it still names the stopped replica.
    expect((await readLease(s)).spec?.holderIdentity).toBe(a.name);
    const takeoverMs = await takeover;
    report(
      `takeover without release: the standby was elected ${takeoverMs.toFixed(0)} ms after the leader stopped renewing (lease duration ${LEASE_DURATION_MS} ms, retry period ${RETRY_PERIOD_MS} ms)`,
    );
    // It waited for the Lease to expire (measured on its own clock from when it last saw the record change,
    // at most one retry interval before the leader stopped) and then took it at its next attempt.
    expect(takeoverMs).toBeGreaterThan(LEASE_DURATION_MS - MAX_RETRY_INTERVAL_MS);
    expect(takeoverMs).toBeLessThan(LEASE_DURATION_MS + 2 * MAX_RETRY_INTERVAL_MS + 1000);

    await createManaged(s.tenant, 'two');
    await untilReconciledBy(s.tenant, 'two', b.name);
    expect((await readLease(s)).spec?.holderIdentity).toBe(b.name);
  });

  it('steps down when another holder appears in the Lease: onLeadershipLost is called and reconciling stops', async () => {
    const s = await setup();
    const a = replica(s, 'leader-a');
    const b = replica(s, 'standby-b');
    await a.start();
    await a.manager.elected;
    await b.start();
    await createManaged(s.tenant, 'before');
    await untilReconciledBy(s.tenant, 'before', a.name);

    // Another identity writes itself into the Lease (as a replica with a skewed view of it would).
    const lease = await readLease(s);
    const now = new Date().toISOString().replace('Z', '000Z');
    await s.kcp.clientFor(s.leaseWorkspace.path).update(
      LeaseResource,
      {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, acquireTime: now },
      },
      { namespace: 'default' },
    );
    await waitFor(() => a.lost === 1, {
      what: 'replica a to notice it lost the Lease',
      timeoutMs: RENEW_DEADLINE_MS + 2 * MAX_RETRY_INTERVAL_MS,
      intervalMs: 50,
    });
    expect(a.manager.isLeader).toBe(false);

    // The intruder never renews: after the Lease expires, the standby takes over; the old leader does not
    // campaign again (its process would normally exit) and reconciles nothing more.
    await b.manager.elected;
    await createManaged(s.tenant, 'after');
    await untilReconciledBy(s.tenant, 'after', b.name);
    expect(a.reconciled).not.toContain('after');
    expect(a.manager.isLeader).toBe(false);
    expect(a.lost).toBe(1);
    expect(b.lost).toBe(0);
    expect((await readLease(s)).spec?.holderIdentity).toBe(b.name);
  });

  it('finishes an in-flight reconcile before stop() returns, then releases the Lease', async () => {
    const s = await setup();
    const times: Record<string, number> = {};
    const slowStarted = Promise.withResolvers<void>();
    const r = replica(s, 'draining', {
      slowReconcileMs: 1000,
      onSlow: (phase) => {
        times[phase] = performance.now();
        if (phase === 'start') slowStarted.resolve();
      },
    });
    await r.start();
    await r.manager.elected;
    await createManaged(s.tenant, 'slow');
    await slowStarted.promise;
    await sleep(100);

    const stopCalled = performance.now();
    await r.stop();
    const stopResolved = performance.now();
    const reconcileStart = times.start ?? Number.NaN;
    const reconcileEnd = times.end ?? Number.NaN;
    report(
      `graceful shutdown: stop() was called ${(stopCalled - reconcileStart).toFixed(0)} ms into a 1000 ms reconcile and returned after ${(stopResolved - stopCalled).toFixed(0)} ms; the reconcile finished ${(stopResolved - reconcileEnd).toFixed(0)} ms before stop() returned`,
    );
    // The reconcile ran to its end (its write included) before stop() returned.
    expect(reconcileEnd).toBeLessThanOrEqual(stopResolved);
    expect(stopResolved - stopCalled).toBeGreaterThanOrEqual(1000 - (stopCalled - reconcileStart) - 50);
    const cm = await s.tenant.get(ConfigMapResource, 'slow', { namespace: 'default' });
    expect(cm.data?.reconciledBy).toBe('draining');
    // The Lease was released on the way out, so that a standby would not wait for it to expire.
    const lease = await readLease(s);
    expect(lease.spec?.holderIdentity ?? '').toBe('');
    expect(r.lost).toBe(0);
  });
});
