import type { AddressInfo } from 'node:net';
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
  Manager,
  type ManagerOptions,
  StaticProvider,
  createOrUpdate,
  predicateFn,
  waitFor,
} from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { TcpGate } from './tcp-gate.ts';

const MANAGED = 'e2e.kubeloom.io/managed';
const CONTROLLER = 'observed';
const LEASE_NAME = 'e2e-observability';

/** One sample of the Prometheus text format. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value;
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples named `name` whose labels include `labels`. */
function find(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The value of the one sample named `name` whose labels include `labels`. */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = find(samples, name, labels);
  if (found.length !== 1) {
    throw new Error(
      `expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}: ${JSON.stringify(found)}`,
    );
  }
  return found[0]?.value ?? Number.NaN;
}

function url(address: AddressInfo | undefined, path: string): string {
  if (!address) throw new Error(`no address to fetch ${path} from: the server is not listening`);
  return `http://${address.address}:${address.port}${path}`;
}

async function get(
  address: AddressInfo | undefined,
  path: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url(address, path));
  return { status: response.status, body: await response.text() };
}

async function scrape(manager: Manager): Promise<Sample[]> {
  const response = await fetch(url(manager.metricsAddress, '/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseMetrics(await response.text());
}

interface ObservedManager {
  readonly manager: Manager;
  readonly start: () => Promise<void>;
}

/**
 * A manager serving probes and metrics on free ports, with a ConfigMap controller over provider cluster
 * `tenant` (reached through `client`, scoped to the workspace's logical cluster).
 */
function observedManager(
  kcp: KcpTestEnvironment,
  tenant: { workspace: KcpWorkspace; client: Client },
  options: Partial<ManagerOptions> & { identity?: string } = {},
): ObservedManager {
  const lifetime = new AbortController();
  const { identity, ...managerOptions } = options;
  const cluster: Cluster = {
    name: 'tenant',
    client: tenant.client,
    cache: new InformerCache(tenant.client, lifetime.signal, { scope: tenant.workspace.clusterName }),
    events: new ClientEventRecorder(tenant.client, { component: 'kubeloom-e2e', signal: lifetime.signal }),
  };
  const provider = new StaticProvider();
  provider.add('tenant', cluster);
  const manager = new Manager({
    local: Client.fromKubeConfig({ path: kcp.kubeconfigPath }),
    provider,
    logger: new JsonLogger({
      level: 'warn',
      destination: process.stderr,
      bindings: { test: 'manager-observability', ...(identity ? { identity } : {}) },
    }),
    healthProbeBindAddress: '127.0.0.1:0',
    metricsBindAddress: '127.0.0.1:0',
    ...managerOptions,
  });
  manager.add(
    new ControllerBuilder(CONTROLLER)
      .for(ConfigMapResource, {
        predicates: [predicateFn<ConfigMap>((cm) => cm.metadata?.labels?.[MANAGED] === 'true')],
      })
      .withOptions({ logger: manager.logger, metrics: manager.controllerMetrics })
      .build(async (request, ctx) => {
        await createOrUpdate(
          ctx.cluster.client,
          ConfigMapResource,
          { name: request.name, namespace: request.namespace },
          (cm) => {
            cm.data = { ...cm.data, reconciled: 'true' };
          },
          { signal: ctx.signal },
        );
      }),
  );
  let run: Promise<void> | undefined;
  onTestFinished(async () => {
    await manager.stop();
    await run;
    lifetime.abort();
  });
  return {
    manager,
    start: async () => {
      run = manager.start();
      await manager.started;
    },
  };
}

async function createManaged(client: Client, name: string): Promise<void> {
  await client.create(ConfigMapResource, {
    metadata: { name, namespace: 'default', labels: { [MANAGED]: 'true' } },
  });
}

async function untilReconciled(client: Client, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await waitFor(
      async () =>
        (await client.get(ConfigMapResource, name, { namespace: 'default' })).data?.reconciled === 'true',
      { what: `ConfigMap default/${name} to be reconciled`, timeoutMs: 30_000, intervalMs: 100 },
    );
  }
}

describe('manager observability against kcp', () => {
  it('answers /readyz 503 until the initial sync, then 200; /healthz 200 throughout', async () => {
    const kcp = await sharedKcp();
    const gate = await TcpGate.listen(Number(new URL(kcp.baseUrl).port), 'holding');
    const workspace = await kcp.createWorkspace({ generateName: 'e2e-obs-ready-' });
    const direct = kcp.clientFor(workspace.path);
    await createManaged(direct, 'before-sync');
    // The controller reaches the workspace only through the gate; kcp's certificate names 127.0.0.1.
    const gated = Client.fromKubeConfig({ path: kcp.kubeconfigPath }).withServer(
      `https://127.0.0.1:${gate.port}/clusters/${workspace.path}`,
    );
    onTestFinished(async () => {
      await gated.rest.pool.close();
      await gate.close();
      await kcp.stop();
    });
    const { manager, start } = observedManager(
      kcp,
      { workspace, client: gated },
      { defaultMetrics: false, metricsClusterLabel: true },
    );
    await start();
    expect(manager.healthProbeAddress?.port).toBeGreaterThan(0);
    expect(manager.metricsAddress?.port).toBeGreaterThan(0);
    expect(manager.metricsAddress?.port).not.toBe(manager.healthProbeAddress?.port);

    const probe = manager.healthProbeAddress;
    await waitFor(() => gate.held > 0, { what: 'the informer to try to connect', timeoutMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      const ready = await get(probe, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/\[-\]manager failed: waiting for .*caches.* to sync/);
      expect(ready.body).toMatch(/readyz check failed/);
      expect(await get(probe, '/healthz')).toEqual({ status: 200, body: 'ok' });
      expect(manager.ready).toBe(false);
      await sleep(300);
    }
    expect((await get(probe, '/livez')).status).toBe(200);
    expect((await get(probe, '/healthz?verbose')).body).toContain('[+]ping ok');
    // Metrics live on their own server.
    expect((await get(probe, '/metrics')).status).toBe(404);

    const released = performance.now();
    gate.open();
    await waitFor(async () => (await get(probe, '/readyz')).status === 200, {
      what: '/readyz to turn 200 after the sync',
      timeoutMs: 15_000,
      intervalMs: 25,
    });
    process.stderr.write(
      `[manager-observability] /readyz turned 200 ${(performance.now() - released).toFixed(0)} ms after the connection to kcp was allowed\n`,
    );
    expect(manager.ready).toBe(true);
    expect(await get(probe, '/readyz')).toEqual({ status: 200, body: 'ok' });
    expect((await get(probe, '/readyz?verbose')).body).toBe('[+]manager ok\nreadyz check passed\n');
    expect(await get(probe, '/healthz')).toEqual({ status: 200, body: 'ok' });

    await untilReconciled(direct, ['before-sync']);
    // The counters move when the reconcile returns, a moment after the write that untilReconciled saw.
    const samples = await waitFor(
      async () => {
        const scraped = await scrape(manager);
        return find(scraped, 'controller_runtime_reconcile_total', {
          controller: CONTROLLER,
          result: 'success',
          cluster: 'tenant',
        }).length > 0
          ? scraped
          : undefined;
      },
      { what: 'the reconcile to be counted', timeoutMs: 15_000, intervalMs: 100 },
    );
    // Opted in: reconcile series carry the cluster.
    expect(
      valueOf(samples, 'controller_runtime_reconcile_total', {
        controller: CONTROLLER,
        result: 'success',
        cluster: 'tenant',
      }),
    ).toBeGreaterThan(0);
    expect(
      valueOf(samples, 'controller_runtime_reconcile_time_seconds_count', {
        controller: CONTROLLER,
        cluster: 'tenant',
      }),
    ).toBeGreaterThan(0);
    // Without leader election there is no leader gauge; without defaultMetrics no process metrics.
    expect(find(samples, 'leader_election_master_status')).toEqual([]);
    expect(find(samples, 'process_cpu_user_seconds_total')).toEqual([]);
  });

  it('exposes controller, work queue and leader election metrics on /metrics', async () => {
    const kcp = await sharedKcp();
    const [leaseWorkspace, workspace] = await Promise.all([
      kcp.createWorkspace({ generateName: 'e2e-obs-lease-' }),
      kcp.createWorkspace({ generateName: 'e2e-obs-tenant-' }),
    ]);
    const tenant = { workspace, client: kcp.clientFor(workspace.path) };
    const election = (identity: string): Partial<ManagerOptions> & { identity: string } => ({
      identity,
      local: Client.fromKubeConfig({ path: kcp.kubeconfigPath }).withServer(
        `/clusters/${leaseWorkspace.path}`,
      ),
      leaderElection: {
        leaseName: LEASE_NAME,
        identity,
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 500,
      },
      onLeadershipLost: () => {},
    });
    // Registered first, so that it runs after the managers' own cleanup.
    onTestFinished(() => kcp.stop());
    const leader = observedManager(kcp, tenant, election('observed-leader'));
    await leader.start();
    await leader.manager.elected;
    const standby = observedManager(kcp, tenant, { ...election('observed-standby'), defaultMetrics: false });
    await standby.start();

    const names = ['m-1', 'm-2', 'm-3'];
    await Promise.all(names.map((name) => createManaged(tenant.client, name)));
    await untilReconciled(tenant.client, names);
    // Let the reconciles triggered by the controller's own writes finish too.
    await waitFor(
      async () => {
        const s = await scrape(leader.manager);
        return (
          valueOf(s, 'workqueue_depth', { name: CONTROLLER }) === 0 &&
          valueOf(s, 'controller_runtime_active_workers', { controller: CONTROLLER }) === 0
        );
      },
      { what: 'the work queue to drain', timeoutMs: 10_000, intervalMs: 100 },
    );

    const samples = await scrape(leader.manager);
    const success = valueOf(samples, 'controller_runtime_reconcile_total', {
      controller: CONTROLLER,
      result: 'success',
    });
    expect(success).toBeGreaterThanOrEqual(names.length);
    // Every result is pre-initialised; nothing failed.
    expect(
      valueOf(samples, 'controller_runtime_reconcile_total', { controller: CONTROLLER, result: 'error' }),
    ).toBe(0);
    expect(valueOf(samples, 'controller_runtime_reconcile_errors_total', { controller: CONTROLLER })).toBe(0);
    // No cluster label unless opted in.
    expect(find(samples, 'controller_runtime_reconcile_total').every((s) => !('cluster' in s.labels))).toBe(
      true,
    );
    expect(
      valueOf(samples, 'controller_runtime_reconcile_time_seconds_count', { controller: CONTROLLER }),
    ).toBe(success);
    expect(
      valueOf(samples, 'controller_runtime_reconcile_time_seconds_bucket', {
        controller: CONTROLLER,
        le: '+Inf',
      }),
    ).toBe(success);
    const queue = { name: CONTROLLER, controller: CONTROLLER };
    expect(valueOf(samples, 'workqueue_adds_total', queue)).toBeGreaterThanOrEqual(names.length);
    expect(valueOf(samples, 'workqueue_depth', queue)).toBe(0);
    expect(valueOf(samples, 'workqueue_queue_duration_seconds_count', queue)).toBeGreaterThanOrEqual(
      names.length,
    );
    expect(valueOf(samples, 'workqueue_work_duration_seconds_count', queue)).toBeGreaterThanOrEqual(
      names.length,
    );
    expect(valueOf(samples, 'controller_runtime_active_workers', { controller: CONTROLLER })).toBe(0);
    expect(valueOf(samples, 'controller_runtime_max_concurrent_reconciles', { controller: CONTROLLER })).toBe(
      1,
    );
    expect(valueOf(samples, 'leader_election_master_status', { name: LEASE_NAME })).toBe(1);
    expect(valueOf(samples, 'kubeloom_engaged_clusters')).toBe(1);
    // prom-client's process and Node.js metrics are on by default.
    expect(find(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);

    // The standby: not leading, its controller never ran, but it is live and ready (warm, clusters engaged).
    const standbySamples = await scrape(standby.manager);
    expect(valueOf(standbySamples, 'leader_election_master_status', { name: LEASE_NAME })).toBe(0);
    expect(
      valueOf(standbySamples, 'controller_runtime_reconcile_total', {
        controller: CONTROLLER,
        result: 'success',
      }),
    ).toBe(0);
    expect(valueOf(standbySamples, 'kubeloom_engaged_clusters')).toBe(1);
    expect(find(standbySamples, 'process_cpu_user_seconds_total')).toEqual([]);
    await waitFor(() => standby.manager.ready, { what: 'the standby to be ready', timeoutMs: 15_000 });
    expect((await get(standby.manager.healthProbeAddress, '/readyz')).status).toBe(200);
    expect((await get(standby.manager.healthProbeAddress, '/healthz')).status).toBe(200);
    expect((await get(leader.manager.healthProbeAddress, '/readyz')).status).toBe(200);

    // After a graceful stop the leader's gauge drops to 0 (read through the registry: the server is closed).
    await leader.manager.stop();
    const after = parseMetrics(await leader.manager.registry.metrics());
    expect(valueOf(after, 'leader_election_master_status', { name: LEASE_NAME })).toBe(0);
    await standby.manager.elected;
    expect(
      valueOf(await scrape(standby.manager), 'leader_election_master_status', { name: LEASE_NAME }),
    ).toBe(1);
  });
});
