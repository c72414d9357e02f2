import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve as resolvePath } from 'node:path';
import {
  type Cluster,
  type ConfigMap,
  ConfigMapResource,
  type Deployment,
  DeploymentResource,
  type InformerCache,
  JsonLogger,
  type Manager,
  type RequestObserver,
  ServiceResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import { SOURCE_CLUSTER_ANNOTATION, TARGET_LABEL } from '@kubeloom/example-mixed-fleet/app-placement';
import { mixedFleetManager } from '@kubeloom/example-mixed-fleet/mixed-fleet';
import { EXPORT_NAME, setUpProvider } from '@kubeloom/example-quickstart/setup';
import { APIExportProvider, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import type { KindProvider } from '@kubeloom/kind-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

/** The directory holding the stand-in `kind` (test/e2e/fixtures/kind), put first on PATH. */
const FIXTURES = resolvePath(import.meta.dirname, 'fixtures');
const STAND_IN_KIND_DIR_ENV = 'KUBELOOM_STAND_IN_KIND_DIR';
/** Where the controller puts the apps (its default); the API servers are this file's own. */
const namespace = 'default';

/** Open requests and watches per server URL, seen through the clients the kind provider builds. */
class OpenRequests implements RequestObserver {
  readonly #open = new Map<string, number>();

  requestStarted(info: { url: string }): void {
    const origin = new URL(info.url).origin;
    this.#open.set(origin, (this.#open.get(origin) ?? 0) + 1);
  }

  requestFinished(info: { url: string }): void {
    const origin = new URL(info.url).origin;
    this.#open.set(origin, (this.#open.get(origin) ?? 0) - 1);
  }

  to(serverUrl: string): number {
    return this.#open.get(new URL(serverUrl).origin) ?? 0;
  }
}

/**
 * Deployment watches the API server is serving now (`apiserver_longrunning_requests`). Only Deployments:
 * the API server's own loopback informers watch other resources, and no kube-controller-manager runs on
 * the clusters this is asked about, so every Deployment watch there is the provider's.
 */
async function servedDeploymentWatches(kube: KubeTestEnvironment): Promise<number> {
  // Prometheus text, not JSON: read the raw body.
  const response = await kube.client.rest.stream({ path: '/metrics' });
  let text = '';
  for await (const chunk of response.body) text += String(chunk);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('apiserver_longrunning_requests{') &&
      line.includes('verb="WATCH"') &&
      line.includes('resource="deployments"')
    )
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const until = <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false) =>
  waitFor(probe, { what, timeoutMs: 60_000, intervalMs: 200 });

/** The object read, or undefined when it does not exist. */
function orNothing<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
}

/** Waits until the app's Deployment and Service exist in `kube` (applied in that order), and returns the Deployment. */
async function untilPlaced(app: string, kube: KubeTestEnvironment): Promise<Deployment> {
  return until(`Deployment and Service ${namespace}/${app} in ${kube.serverUrl}`, async () => {
    const deployment = await orNothing(kube.client.get(DeploymentResource, app, { namespace }));
    const service = await orNothing(kube.client.get(ServiceResource, app, { namespace }));
    return service && deployment;
  });
}

/** Whether the app has no Deployment in `kube`. */
async function absent(app: string, kube: KubeTestEnvironment): Promise<boolean> {
  try {
    await kube.client.get(DeploymentResource, app, { namespace });
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a Kubernetes API server to stand for kind clusters (no controller-manager: nothing runs Pods). */
function startKube(name: string): Promise<KubeTestEnvironment> {
  return KubeTestEnvironment.start({ name, controllerManager: false, startTimeoutMs: 180_000 });
}

describe('KindProvider on real API servers, through a stand-in kind on PATH, with kcp in one manager', () => {
  /** Two real API servers: dev and (later) late on the first, staging on the second, then dev too. */
  let first: KubeTestEnvironment;
  let second: KubeTestEnvironment;
  let kcp: KcpTestEnvironment;
  let consumer: KcpWorkspace;
  let kindDir: string;
  let manager: Manager;
  let kind: KindProvider;
  let running: Promise<void>;
  const open = new OpenRequests();
  const savedEnv = { path: process.env.PATH, kindBin: process.env.KIND_BIN };

  const putKindCluster = (name: string, kube: KubeTestEnvironment): void =>
    writeFileSync(join(kindDir, `${name}.kubeconfig`), kube.kubeconfigYaml());

  /** Places an app: a ConfigMap in the kcp workspace naming the kind cluster to run it in. */
  const placeApp = (name: string, target: string): Promise<ConfigMap> =>
    kcp.clientFor(consumer.path).create(ConfigMapResource, {
      metadata: { name, namespace: 'default', labels: { [TARGET_LABEL]: target } },
      data: { image: 'nginx:1.29', replicas: '2', port: '8080' },
    });

  beforeAll(async () => {
    // Each one is kept as soon as it runs, so that afterAll stops it even if another failed to start.
    const started = await Promise.allSettled([
      startKube('kind-e2e-first').then((kube) => (first = kube)),
      startKube('kind-e2e-second').then((kube) => (second = kube)),
      sharedKcp().then((env) => (kcp = env)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;

    // kcp: the quickstart's export (it claims ConfigMaps) and one consumer workspace bound to it.
    const providerWorkspace = await setUpProvider(kcp);
    consumer = await kcp.createWorkspace({ generateName: 'kind-e2e-consumer-' });
    await kcp.bindApiExport({
      workspace: consumer.path,
      exportPath: providerWorkspace.path,
      exportName: EXPORT_NAME,
    });

    // kind: the stand-in found on PATH, exactly as the real one would be.
    kindDir = mkdtempSync(join(tmpdir(), 'kubeloom-kind-e2e-'));
    process.env[STAND_IN_KIND_DIR_ENV] = kindDir;
    process.env.PATH = `${FIXTURES}${delimiter}${process.env.PATH ?? ''}`;
    delete process.env.KIND_BIN;
    putKindCluster('dev', first);
    putKindCluster('staging', second);

    const local = kcp.clientFor(providerWorkspace.path);
    ({ manager, kind } = await mixedFleetManager({
      local,
      kcp: new APIExportProvider({ client: local, endpointSlice: EXPORT_NAME }),
      kind: { intervalMs: 250, clientOptions: { observer: open } },
      resyncMs: 1000,
      logger: new JsonLogger({
        level: 'warn',
        destination: process.stderr,
        bindings: { test: 'kind-provider' },
      }),
    }));
    running = manager.start();
    await until('the manager to be ready', () => manager.ready);
  });

  afterAll(async () => {
    await manager?.stop();
    await running;
    process.env.PATH = savedEnv.path;
    if (savedEnv.kindBin !== undefined) process.env.KIND_BIN = savedEnv.kindBin;
    delete process.env[STAND_IN_KIND_DIR_ENV];
    if (kindDir) rmSync(kindDir, { recursive: true, force: true });
    await Promise.all([first?.stop(), second?.stop(), kcp?.stop()]);
  });

  it('engages both kind clusters and a controller reading kcp writes each app to the cluster it names', async () => {
    expect(kind.names()).toEqual(['dev', 'staging']);
    expect(manager.clusterNames()).toEqual(
      expect.arrayContaining(['kind#dev', 'kind#staging', `kcp#${consumer.clusterName}`]),
    );
    await placeApp('web', 'dev');
    await placeApp('api', 'staging');
    const web = await untilPlaced('web', first);
    await untilPlaced('api', second);
    expect(web.spec?.replicas).toBe(2);
    expect(web.metadata?.annotations?.[SOURCE_CLUSTER_ANNOTATION]).toBe(`kcp#${consumer.clusterName}`);
    expect(await absent('web', second)).toBe(true);
    expect(await absent('api', first)).toBe(true);
  });

  it('engages a kind cluster that appears', async () => {
    // Another name for the first API server: to the provider a cluster of its own.
    putKindCluster('late', first);
    await until('kind#late to be engaged', () => manager.clusterNames().includes('kind#late'));
    expect(kind.names()).toEqual(['dev', 'late', 'staging']);
    await placeApp('cache', 'late');
    const cache = await untilPlaced('cache', first);
    expect(cache.metadata?.annotations?.[SOURCE_CLUSTER_ANNOTATION]).toBe(`kcp#${consumer.clusterName}`);
  });

  it('disengages a deleted kind cluster and leaves no watch or connection to it behind', async () => {
    const staging: Cluster = await kind.get('staging');
    await until(
      'the Deployment watch to staging to be open',
      async () => (await servedDeploymentWatches(second)) > 0,
    );
    expect(open.to(second.serverUrl)).toBeGreaterThan(0);

    rmSync(join(kindDir, 'staging.kubeconfig'));
    await until('kind#staging to be disengaged', () => !manager.clusterNames().includes('kind#staging'));
    await expect(kind.get('staging')).rejects.toThrow('cluster "staging" is not engaged');
    const informers = (staging.cache as InformerCache).informers();
    expect(informers.length).toBeGreaterThan(0);
    expect(informers.filter((i) => i.running).map((i) => i.resource.plural)).toEqual([]);
    await until(
      'no request or watch of the provider to staging to be open',
      () => open.to(second.serverUrl) === 0,
    );
    await until(
      'the staging API server to serve no Deployment watch',
      async () => (await servedDeploymentWatches(second)) === 0,
    );
  });

  it('re-engages a kind cluster recreated under the same name, and the app lands in the new one', async () => {
    const before = await kind.get('dev');
    putKindCluster('dev', second);
    await until('kind#dev to point at the new API server', async () => {
      const now = await kind.get('dev').catch(() => undefined);
      return now !== undefined && now !== before && now.client.rest.server === second.serverUrl;
    });
    const informers = (before.cache as InformerCache).informers();
    await until('the informers of the old dev to stop', () => informers.every((i) => !i.running));
    expect((await kind.get('dev')).client.rest.server).toBe(second.serverUrl);
    const web = await untilPlaced('web', second);
    expect(web.spec?.template?.spec?.containers?.[0]?.image).toBe('nginx:1.29');
  });

  it('reports a kind cluster whose API server does not answer, serves the others, and engages it once it answers', async () => {
    const deadPort = await closedPort();
    const working = first.kubeconfigYaml();
    const dead = working.replace(new URL(first.serverUrl).host, `127.0.0.1:${deadPort}`);
    expect(dead).not.toBe(working);
    writeFileSync(join(kindDir, 'broken.kubeconfig'), dead);
    await until('broken to be reported unreachable', () =>
      kind.get('broken').then(
        () => false,
        (e: unknown) => String(e).includes('does not answer'),
      ),
    );
    await expect(kind.get('broken')).rejects.toThrow(
      `cluster "broken" is not engaged: the API server of kind cluster "broken" (https://127.0.0.1:${deadPort}) does not answer: GET https://127.0.0.1:${deadPort}/version: `,
    );
    // The others are served meanwhile.
    await placeApp('queue', 'late');
    await untilPlaced('queue', first);

    writeFileSync(join(kindDir, 'broken.kubeconfig'), working);
    await until('broken to be engaged once it answers', () => manager.clusterNames().includes('kind#broken'));
    expect((await kind.get('broken')).client.rest.server).toBe(first.serverUrl);
  });
});
