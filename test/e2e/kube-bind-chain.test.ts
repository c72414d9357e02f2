/**
 * The whole provider-to-consumer chain: the database team's CloudNativePG Cluster CRD on its service
 * cluster is published into kcp by the syncagent; the backend workspace binds that export and offers it
 * through the kube-bind backend; the observability team's own cluster binds it (the flow of `kubeloom
 * bind`), and a small composition controller there (the seed uses KRO for this step) creates a Postgres
 * Cluster for each Elastic. The instance travels consumer cluster → backend workspace (konnector) → service
 * cluster (syncagent); the stand-in CNPG operator's Ready status comes all the way back; deleting the
 * Elastic removes everything it caused. It also measures both directions' latency.
 */
import { join } from 'node:path';
import {
  type Client,
  ControllerBuilder,
  CustomResourceDefinitionResource,
  type KubeObject,
  NamespaceResource,
  applyManifests,
  defineResource,
  isNotFound,
  loadManifests,
  newCluster,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment, installCrds } from '@kubeloom/core/testing';
import { APIBindingResource, APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import { type SyncAgent, createSyncAgent } from '@kubeloom/example-syncagent/sync-agent';
import { Konnector, bindExport, kubeBindCrdFiles } from '@kubeloom/kube-bind';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { type RunningBackend, kcpCaData, startBackend } from './kube-bind-backend-fixture.ts';
import { startConsumer } from './kube-bind-fixtures.ts';
import { type TestOidcProvider, browserLogin, startOidcProvider } from './kube-bind-oidc.ts';
import { publishedResourceCrdObject } from './syncagent-crds.ts';
import { CnpgClusterResource, type FakeCnpg, startFakeCnpg } from './syncagent-fake-cnpg.ts';
import { quietLogger } from './syncagent-logger.ts';

const testdata = join(import.meta.dirname, '../../examples/syncagent/testdata');
const SLOW_MS = 180_000;
const EXPORT = 'postgresql.cnpg.io';

/** The observability team's own API on its cluster: an Elastic stack that needs a Postgres. */
const ElasticResource = defineResource<KubeObject & { spec?: { version?: string } }>({
  group: 'observability.e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Elastic',
  plural: 'elastics',
  namespaced: true,
});

/** The composition step: each Elastic owns a Postgres Cluster named `<elastic>-db` (deleted with it by GC). */
function compositionController(): ReturnType<ControllerBuilder['build']> {
  return new ControllerBuilder('elastic-composition')
    .for(ElasticResource, { clusters: 'local' })
    .owns(CnpgClusterResource, { clusters: 'local' })
    .build(async (req, { cluster }) => {
      const elastic = cluster.cache.reader(ElasticResource).get(req.name, req.namespace);
      if (!elastic || elastic.metadata?.deletionTimestamp) return;
      await cluster.client.apply(
        CnpgClusterResource,
        {
          metadata: {
            name: `${req.name}-db`,
            namespace: req.namespace,
            ownerReferences: [
              {
                apiVersion: 'observability.e2e.kubeloom.dev/v1',
                kind: 'Elastic',
                name: req.name,
                uid: elastic.metadata?.uid ?? '',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: { instances: 1, storage: { size: '1Gi' } },
        },
        { fieldManager: 'elastic-composition', force: true },
      );
    });
}

const quantile = (values: number[], q: number): number => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};

const getOrUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));

describe('kube-bind chain: service cluster → syncagent → kcp → kube-bind → consumer cluster', {
  timeout: 600_000,
}, () => {
  let service: KubeTestEnvironment;
  let consumer: KubeTestEnvironment;
  let backendWs: KcpWorkspace;
  let backendClient: Client;
  let agent: SyncAgent;
  let fake: FakeCnpg;
  let backend: RunningBackend;
  let oidc: TestOidcProvider;
  const stop = new AbortController();
  const runs: Promise<unknown>[] = [];
  const agentErrors: string[] = [];

  beforeAll(async () => {
    const kcp = await sharedKcp();
    const [serviceEnv, consumerEnv, providerWs, bWs] = await Promise.all([
      KubeTestEnvironment.start({ name: 'kb-chain-service', controllerManager: false }),
      // The consumer runs the controller-manager: deleting an Elastic deletes its Postgres by GC.
      startConsumer('kb-chain-consumer', { controllerManager: true }),
      kcp.createWorkspace({ generateName: 'kb-chain-db-', timeoutMs: 240_000 }),
      kcp.createWorkspace({ generateName: 'kb-chain-backend-', timeoutMs: 240_000 }),
    ]);
    service = serviceEnv;
    consumer = consumerEnv;
    backendWs = bWs;
    // The database team: CNPG's CRD on its cluster, published by a syncagent into its workspace's export.
    await installCrds(service.client, [
      join(testdata, 'postgresql.cnpg.io_clusters.yaml'),
      await publishedResourceCrdObject(),
    ]);
    await applyManifests(service.client, await loadManifests(join(testdata, 'resources-cluster.yaml')), {
      fieldManager: 'db-team',
    });
    await service.client.create(NamespaceResource, { metadata: { name: 'syncagent' } });
    const dbClient = kcp.clientFor(providerWs.path);
    await applyManifests(dbClient, await loadManifests(join(testdata, 'export.yaml')), {
      fieldManager: 'db-team',
    });
    agent = await createSyncAgent({
      service: service.client,
      kcp: dbClient,
      apiExportRef: EXPORT,
      namespace: 'syncagent',
      agentName: 'kb-chain',
      logger: quietLogger(agentErrors),
      notReadyGraceMs: 5_000,
    });
    runs.push(agent.start(stop.signal));
    fake = startFakeCnpg(service.client);
    await waitFor(
      async () => ((await dbClient.get(APIExportResource, EXPORT)).spec?.resources ?? []).length > 0,
      {
        what: 'the syncagent to publish the Cluster schema into the export',
        timeoutMs: SLOW_MS,
      },
    );
    // The backend workspace binds the export and offers it to consumer clusters.
    await kcp.bindApiExport({
      workspace: backendWs.path,
      exportPath: providerWs.path,
      exportName: EXPORT,
      timeoutMs: SLOW_MS,
    });
    backendClient = kcp.clientFor(backendWs.path);
    await backendClient.patch(APIBindingResource, EXPORT, {
      metadata: { labels: { 'kube-bind.io/exported': 'true' } },
    });
    await installCrds(backendClient, kubeBindCrdFiles('provider'), { timeoutMs: SLOW_MS });
    oidc = await startOidcProvider();
    backend = await startBackend(
      backendClient,
      `${kcp.baseUrl}/clusters/${backendWs.path}`,
      kcpCaData(kcp.kubeconfigPath),
      oidc,
    );
    oidc.register(`${backend.server.url}/api/callback`);
    // The observability team's cluster: its konnector, its own Elastic API and the composition controller.
    runs.push(
      new Konnector({ consumer: consumer.client, heartbeatIntervalMs: 10_000, resyncMs: 5_000 }).start(
        stop.signal,
      ),
    );
    await consumer.installCrds({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'elastics.observability.e2e.kubeloom.dev' },
      spec: {
        group: 'observability.e2e.kubeloom.dev',
        names: { kind: 'Elastic', plural: 'elastics' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        ],
      },
    } as never);
    await consumer.client.create(NamespaceResource, { metadata: { name: 'obs' } });
    await bindExport({
      backendUrl: backend.server.url,
      consumer: consumer.client,
      exportName: EXPORT,
      openLoginPage: (url) => browserLogin(url, 'observability-team'),
      requestTimeoutMs: SLOW_MS,
    });
    await waitFor(
      () => getOrUndefined(consumer.client.get(CustomResourceDefinitionResource, `clusters.${EXPORT}`)),
      {
        what: 'the Postgres Cluster CRD on the observability cluster',
        timeoutMs: SLOW_MS,
      },
    );
    const composition = compositionController();
    const compositionCluster = newCluster('', consumer.client, { signal: stop.signal });
    await composition.engage('', compositionCluster, stop.signal);
    runs.push(composition.start(stop.signal));
  }, 600_000);

  afterAll(async () => {
    stop.abort();
    await Promise.allSettled(runs);
    await Promise.allSettled([fake?.stop(), backend?.stop(), oidc?.stop()]);
    await Promise.allSettled([consumer?.stop(), service?.stop()]);
  });

  it('an Elastic on the observability cluster gets a Postgres on the database team’s cluster, Ready comes back, and deleting the Elastic removes everything', async () => {
    await consumer.client.create(ElasticResource, {
      metadata: { name: 'logs', namespace: 'obs' },
      spec: { version: '8' },
    });
    const serviceNamespace = backendWs.clusterName;
    const onService = await waitFor(
      () =>
        getOrUndefined(service.client.get(CnpgClusterResource, 'logs-db', { namespace: serviceNamespace })),
      {
        what: `the Postgres Cluster on the service cluster in namespace ${serviceNamespace}`,
        timeoutMs: SLOW_MS,
      },
    );
    expect(onService.spec).toMatchObject({ instances: 1 });
    const ready = await waitFor(
      async () => {
        const c = await consumer.client.get(CnpgClusterResource, 'logs-db', { namespace: 'obs' });
        return c.status?.phase === 'Cluster in healthy state' ? c : undefined;
      },
      { what: 'Ready from the stand-in CNPG operator on the observability cluster', timeoutMs: SLOW_MS },
    );
    expect(ready.status).toMatchObject({ readyInstances: 1 });

    await consumer.client.delete(ElasticResource, 'logs', { namespace: 'obs' });
    await waitFor(
      async () =>
        (await getOrUndefined(
          service.client.get(CnpgClusterResource, 'logs-db', { namespace: serviceNamespace }),
        )) === undefined,
      {
        what: 'the Postgres Cluster to be gone from the service cluster',
        timeoutMs: SLOW_MS,
      },
    );
    await waitFor(
      async () =>
        (await getOrUndefined(consumer.client.get(CnpgClusterResource, 'logs-db', { namespace: 'obs' }))) ===
        undefined,
      {
        what: 'the Postgres Cluster to be gone from the observability cluster',
        timeoutMs: SLOW_MS,
      },
    );
    const copies = await backendClient.list(CnpgClusterResource);
    expect(copies.items.map((c) => c.metadata?.name)).not.toContain('logs-db');
  });

  it('measures create → service-cluster copy and service status → consumer status', async () => {
    const n = 10;
    const serviceNamespace = backendWs.clusterName;
    const created = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = `lat-${i}`;
      created.set(name, Date.now());
      await consumer.client.create(CnpgClusterResource, {
        metadata: { name, namespace: 'obs' },
        spec: { instances: 1, storage: { size: '1Gi' } },
      } as KubeObject);
    }
    const up = new Map<string, number>();
    const mid = new Map<string, number>();
    const down = new Map<string, number>();
    await waitFor(
      async () => {
        const inKcp = await backendClient.list(CnpgClusterResource);
        for (const c of inKcp.items) {
          const name = c.metadata?.name ?? '';
          if (created.has(name) && !mid.has(name)) mid.set(name, Date.now() - (created.get(name) ?? 0));
        }
        const onService = await service.client.list(CnpgClusterResource, { namespace: serviceNamespace });
        for (const c of onService.items) {
          const name = c.metadata?.name ?? '';
          if (created.has(name) && !up.has(name)) up.set(name, Date.now() - (created.get(name) ?? 0));
        }
        const onConsumer = await consumer.client.list(CnpgClusterResource, { namespace: 'obs' });
        for (const c of onConsumer.items) {
          const name = c.metadata?.name ?? '';
          const written = fake.statusWrittenAt.get(`${serviceNamespace}/${name}`);
          if (
            created.has(name) &&
            written &&
            c.status?.phase === 'Cluster in healthy state' &&
            !down.has(name)
          )
            down.set(name, Date.now() - written);
        }
        return up.size === n && down.size === n;
      },
      {
        what: `${n} Clusters to reach the service cluster and come back Ready`,
        timeoutMs: SLOW_MS,
        intervalMs: 100,
      },
    );
    const ups = [...up.values()];
    const mids = [...mid.values()];
    const downs = [...down.values()];
    console.log(
      `[kube-bind chain] consumer create → kcp copy (konnector): p50 ${quantile(mids, 0.5)} ms, p99 ${quantile(mids, 0.99)} ms; consumer create → service copy: p50 ${quantile(ups, 0.5)} ms, p99 ${quantile(ups, 0.99)} ms; service status → consumer: p50 ${quantile(downs, 0.5)} ms, p99 ${quantile(downs, 0.99)} ms (n=${n}, polled every 100 ms)`,
    );
    expect(ups).toHaveLength(n);
    expect(downs).toHaveLength(n);
  });
});
