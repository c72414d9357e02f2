/**
 * The syncagent's command line (`examples/syncagent/src/main.ts`) as a process: it starts with the
 * workshop's flags, publishes the workshop's resources, serves `sync_agent_published_resource` and
 * `/readyz`, and exits 0 on SIGTERM. The service cluster here is a kcp workspace (any Kubernetes API
 * will do for the command line; the sync itself is tested against a real kube-apiserver in
 * syncagent.test.ts), so this test shares nothing with the others.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyManifests, loadManifests, waitFor } from '@kubeloom/core';
import { KubeConfig } from '@kubernetes/client-node';
import { freeLoopbackPorts, installCrds } from '@kubeloom/core/testing';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

const agentDir = join(import.meta.dirname, '../../examples/syncagent');
const testdata = join(agentDir, 'testdata');

/** A copy of kcp's kubeconfig whose server points at `workspace`. */
function kubeconfigFor(kcp: KcpTestEnvironment, workspace: string, dir: string, name: string): string {
  const config = new KubeConfig();
  config.loadFromFile(kcp.kubeconfigPath);
  // The same context the test environment's own clients use.
  config.setCurrentContext('root');
  config.clusters = config.clusters.map((c) => ({
    ...c,
    server: `${c.server.replace(/\/clusters\/.*$/, '')}/clusters/${workspace}`,
  }));
  const path = join(dir, name);
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

describe('syncagent command line', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('runs with the workshop flags: publishes, serves its metric and readiness, exits 0 on SIGTERM', async () => {
    const kcp = await sharedKcp();
    const provider = await kcp.createWorkspace({
      generateName: 'syncagent-cli-provider-',
      timeoutMs: 180_000,
    });
    const serviceWs = await kcp.createWorkspace({
      generateName: 'syncagent-cli-service-',
      timeoutMs: 180_000,
    });
    const dir = mkdtempSync(join(tmpdir(), 'syncagent-cli-'));
    const kcpKubeconfig = kubeconfigFor(kcp, provider.path, dir, 'sync-agent.kubeconfig');
    const serviceKubeconfig = kubeconfigFor(kcp, serviceWs.path, dir, 'provider.kubeconfig');
    await applyManifests(kcp.clientFor(provider.path), await loadManifests(join(testdata, 'export.yaml')), {
      fieldManager: 'workshop',
    });
    const service = kcp.clientFor(serviceWs.path);
    await installCrds(service, [
      join(testdata, 'postgresql.cnpg.io_clusters.yaml'),
      join(testdata, 'postgresql.cnpg.io_databases.yaml'),
      join(testdata, 'syncagent.kcp.io_publishedresources.v0.2.0.yaml'),
    ]);
    const [metricsPort, healthPort] = await freeLoopbackPorts(2);
    let output = '';
    child = spawn(
      process.execPath,
      [
        'src/main.ts',
        '--apiexport-ref',
        'postgresql.cnpg.io',
        '--kcp-kubeconfig',
        kcpKubeconfig,
        '--kubeconfig',
        serviceKubeconfig,
        '--namespace',
        'default',
        '--metrics-address',
        `127.0.0.1:${metricsPort}`,
        '--health-address',
        `127.0.0.1:${healthPort}`,
      ],
      { cwd: agentDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    await applyManifests(
      service,
      [
        ...(await loadManifests(join(testdata, 'resources-cluster.yaml'))),
        ...(await loadManifests(join(testdata, 'resources-database.yaml'))),
      ],
      { fieldManager: 'workshop' },
    );
    const metrics = (): Promise<string> =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
    await waitFor(
      async () => (await metrics()).includes('sync_agent_published_resource{state="published"} 2'),
      {
        what: 'both PublishedResources published (metric)',
        timeoutMs: 180_000,
        describe: () => output.slice(-2000),
      },
    );
    expect(
      (await metrics()).split('\n').filter((l) => l.startsWith('sync_agent_published_resource{')),
    ).toEqual([
      'sync_agent_published_resource{state="published"} 2',
      'sync_agent_published_resource{state="invalid"} 0',
      'sync_agent_published_resource{state="pending"} 0',
    ]);
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200,
      {
        what: '/readyz 200',
        timeoutMs: 60_000,
      },
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.split('\n')[0]).toBe(
      `api-syncagent: agent "postgresql.cnpg.io-syncagent", kcp workspace ${provider.path}, APIExport "postgresql.cnpg.io", service cluster from kubeconfig ${serviceKubeconfig}, context "root", namespace "default"`,
    );
  }, 600_000);
});
