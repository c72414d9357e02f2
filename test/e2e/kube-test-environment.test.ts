import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigMapResource,
  DeploymentResource,
  type KubeObject,
  NamespaceResource,
  ServiceResource,
  defineResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment, processGroupExists } from '@kubeloom/core/testing';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { sharedKube } from './kube.ts';

interface Gadget extends KubeObject {
  spec?: { size?: number };
}
const GadgetResource = defineResource<Gadget>({
  group: 'e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
});
interface Pod extends KubeObject {
  status?: { phase?: string };
}
const PodResource = defineResource<Pod>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
});

async function freshNamespace(kube: KubeTestEnvironment): Promise<string> {
  const ns = await kube.client.create(NamespaceResource, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { generateName: 'e2e-' },
  });
  return ns.metadata?.name ?? '';
}

describe('KubeTestEnvironment on a real kube-apiserver', () => {
  it('stores a Deployment and a Service, and the controller-manager creates Pods that stay Pending', async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    const namespace = await freshNamespace(kube);
    const labels = { app: 'web' };
    await kube.client.create(DeploymentResource, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    });
    await kube.client.create(ServiceResource, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace },
      spec: { selector: labels, ports: [{ port: 80 }] },
    });

    const deployment = await kube.client.get(DeploymentResource, 'web', { namespace });
    expect(deployment.spec?.replicas).toBe(2);
    const service = await kube.client.get(ServiceResource, 'web', { namespace });
    expect(service.spec?.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
    const pods = await waitFor(
      async () => {
        const list = await kube.client.list(PodResource, { namespace });
        return list.items.length === 2 ? list.items : undefined;
      },
      { what: 'the Deployment to get 2 Pods from the controller-manager', timeoutMs: 60_000 },
    );
    expect(pods.map((p) => p.status?.phase)).toEqual(['Pending', 'Pending']);
  });

  it('installs a CRD from a YAML file and serves its custom resources', async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    await kube.installCrds(join(import.meta.dirname, 'fixtures', 'gadgets-crd.yaml'));
    const namespace = await freshNamespace(kube);
    await kube.client.create(GadgetResource, {
      apiVersion: 'e2e.kubeloom.dev/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace },
      spec: { size: 3 },
    });
    expect((await kube.client.get(GadgetResource, 'g1', { namespace })).spec?.size).toBe(3);
  });

  it('finishes deleting a namespace with objects in it', async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    const namespace = await freshNamespace(kube);
    await kube.client.create(ConfigMapResource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'data', namespace },
      data: { a: '1' },
    });
    await kube.client.delete(NamespaceResource, namespace);
    const gone = await waitFor(
      () => kube.client.get(NamespaceResource, namespace).then(() => false, isNotFound),
      {
        what: `namespace ${namespace} to be gone`,
        timeoutMs: 60_000,
      },
    );
    expect(gone).toBe(true);
  });

  it('garbage-collects a dependent when its owner is deleted', async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    const namespace = await freshNamespace(kube);
    const owner = await kube.client.create(ConfigMapResource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace },
    });
    await kube.client.create(ConfigMapResource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'dependent',
        namespace,
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' },
        ],
      },
    });
    await kube.client.delete(ConfigMapResource, 'owner', { namespace });
    const collected = await waitFor(
      () => kube.client.get(ConfigMapResource, 'dependent', { namespace }).then(() => false, isNotFound),
      { what: 'the dependent ConfigMap to be garbage-collected', timeoutMs: 60_000 },
    );
    expect(collected).toBe(true);
  });

  it('runs two independent clusters at once and leaves no process or directory after stop', async () => {
    const { kubeconfigPath } = inject('kube');
    expect(existsSync(kubeconfigPath)).toBe(true);
    const [a, b] = await Promise.all([
      KubeTestEnvironment.start({ name: 'e2e-a', controllerManager: false, startTimeoutMs: 120_000 }),
      KubeTestEnvironment.start({ name: 'e2e-b', startTimeoutMs: 120_000 }),
    ]);
    const pids = [...a.pids, ...b.pids];
    const dirs = [a.dataDir ?? '', b.dataDir ?? ''];
    onTestFinished(async () => {
      await a.stop();
      await b.stop();
    });
    expect([a.pids.length, b.pids.length]).toEqual([2, 3]);
    expect(a.serverUrl).not.toBe(b.serverUrl);
    expect(a.startupMs).toBeGreaterThan(0);

    await a.client.create(ConfigMapResource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'only-in-a', namespace: 'default' },
    });
    const inB = await b.client.get(ConfigMapResource, 'only-in-a', { namespace: 'default' }).catch((e) => e);
    expect(isNotFound(inB)).toBe(true);
    expect(a.kubeconfigYaml()).toContain(`server: ${a.serverUrl}`);

    await Promise.all([a.stop(), b.stop()]);
    expect(pids.filter(processGroupExists)).toEqual([]);
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
  });

  it('leaves no server running when the test process is killed with SIGKILL', async () => {
    const parent = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'start-kube-and-wait.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const started = await new Promise<{ pids: number[]; dataDir: string }>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      parent.once('exit', (code) =>
        reject(new Error(`the parent exited with ${code} before it started the servers`)),
      );
    });
    onTestFinished(() => rmSync(started.dataDir, { recursive: true, force: true }));
    expect(started.pids.filter(processGroupExists)).toHaveLength(2);

    parent.kill('SIGKILL');
    const survivors = await waitFor(
      () => {
        const alive = started.pids.filter(processGroupExists);
        return alive.length === 0 ? alive : undefined;
      },
      { what: 'etcd and kube-apiserver to exit after their parent was SIGKILLed', timeoutMs: 30_000 },
    );
    expect(survivors).toEqual([]);
  });

  it('fromEnvironment() attaches to the cluster KUBELOOM_KUBE_KUBECONFIG names', async () => {
    const shared = await sharedKube();
    onTestFinished(() => shared.stop());
    const saved = process.env.KUBELOOM_KUBE_KUBECONFIG;
    process.env.KUBELOOM_KUBE_KUBECONFIG = shared.kubeconfigPath;
    onTestFinished(() => {
      if (saved === undefined) delete process.env.KUBELOOM_KUBE_KUBECONFIG;
      else process.env.KUBELOOM_KUBE_KUBECONFIG = saved;
    });
    const attached = await KubeTestEnvironment.fromEnvironment();
    onTestFinished(() => attached.stop());
    expect([attached.serverUrl, attached.startupMs, attached.pids]).toEqual([shared.serverUrl, 0, []]);
  });
});
