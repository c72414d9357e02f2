/**
 * The whole provider-to-consumer chain in the platform's own shape (the code `./run demo` runs): the
 * database team's CloudNativePG CRDs on its cluster are published into kcp by its syncagent; the
 * observability team publishes its Elasticsearch API from its own cluster through a second syncagent
 * instance, and that same cluster binds the Postgres export through the kube-bind backend in kcp (the
 * flow of `kubeloom bind`, with a real OIDC login). A composition controller there (the seed uses KRO for
 * this step) creates a Postgres Cluster for each Elasticsearch. So a tenant's Elasticsearch travels tenant
 * workspace → observability cluster (syncagent), its Postgres observability cluster → backend workspace
 * (konnector) → database team's cluster (syncagent); the stand-in CNPG operator's Ready comes all the way
 * back; deleting the tenant's Elasticsearch removes everything it caused. It also measures both
 * directions' latency of the kube-bind leg.
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  NamespaceResource,
  type ResourceDescriptor,
  SharedInformer,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  ElasticsearchResource,
  type PostgresCluster,
  PostgresClusterResource,
} from '@kubeloom/example-webshop-operator/api';
import {
  type Platform,
  compositionPostgresName,
  startPlatform,
} from '@kubeloom/example-webshop-operator/platform';
import { APIServiceBindingResource } from '@kubeloom/kube-bind';
import { providerNamespaceName } from '@kubeloom/kube-bind/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

const SLOW_MS = 300_000;
const TEST_MS = 900_000;

const quantile = (values: number[], q: number): number => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};

const summary = (values: number[]): string =>
  `p50 ${quantile(values, 0.5)} ms, p99 ${quantile(values, 0.99)} ms`;

const getOrUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));

const isReady = (o: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined) =>
  o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Waits until `name` is gone from `client` (in `namespace`). */
function waitForGone(
  client: Client,
  resource: ResourceDescriptor,
  name: string,
  namespace: string,
  where: string,
): Promise<unknown> {
  return waitFor(
    async () => (await getOrUndefined(client.get(resource, name, { namespace }))) === undefined,
    { what: `${resource.kind} ${namespace}/${name} to be gone from ${where}`, timeoutMs: SLOW_MS },
  );
}

/**
 * Watches Postgres Clusters on `client` and keeps, per name, when each was first seen at all and first
 * seen Ready: the watch delivers within milliseconds of the write, where polling would add its interval.
 */
function firstSeen(
  client: Client,
  stop: AbortSignal,
): { informer: SharedInformer<PostgresCluster>; seen: Map<string, number>; ready: Map<string, number> } {
  const informer = new SharedInformer(client, PostgresClusterResource);
  const seen = new Map<string, number>();
  const ready = new Map<string, number>();
  const note = (o: PostgresCluster): void => {
    const name = o.metadata?.name ?? '';
    const now = Date.now();
    if (!seen.has(name)) seen.set(name, now);
    if (!ready.has(name) && isReady(o)) ready.set(name, now);
  };
  informer.addHandler({ onAdd: note, onUpdate: (_old, o) => note(o) });
  informer.start(stop);
  return { informer, seen, ready };
}

describe('kube-bind chain: database team cluster → syncagent → kcp → kube-bind → observability cluster', {
  timeout: TEST_MS,
}, () => {
  let kcp: KcpTestEnvironment;
  let teamCluster: KubeTestEnvironment;
  let observability: KubeTestEnvironment;
  let platform: Platform;
  let tenant: KcpWorkspace;
  let backend: Client;
  const prefix = `kbc-${randomBytes(3).toString('hex')}-`;
  const progress: string[] = [];
  const stop = new AbortController();

  beforeAll(async () => {
    kcp = await sharedKcp();
    // Two clusters of this file's own: each gets PublishedResources, which the shared cluster's syncagent
    // would pick up, and the observability cluster gets the Postgres CRDs through kube-bind, which it
    // cannot while serving CloudNativePG's own (the team cluster's). The observability cluster runs the
    // garbage collector: deleting an Elasticsearch deletes its Postgres by owner reference.
    [teamCluster, observability] = await Promise.all([
      KubeTestEnvironment.start({ name: 'kb-chain-team', controllerManager: false, startTimeoutMs: 180_000 }),
      KubeTestEnvironment.start({ name: 'kb-chain-observability', startTimeoutMs: 180_000 }),
    ]);
    platform = await startPlatform({
      kcp,
      teamClusters: teamCluster,
      observabilityCluster: observability,
      // No shops here: the availability stand-in watches a cluster without webshop Pods.
      compute: teamCluster,
      prefix,
      log: (line) => progress.push(line),
      timeoutMs: SLOW_MS,
    });
    backend = kcp.clientFor(platform.kubeBind?.backendWorkspace.path ?? '');
    tenant = await platform.createTenant('search-tenant', [platform.exports.elastic]);
  }, TEST_MS);

  afterAll(async () => {
    stop.abort();
    await platform?.stop();
    await Promise.allSettled([teamCluster?.stop(), observability?.stop()]);
    await kcp?.stop();
  });

  it('binds Postgres into the observability cluster through kube-bind, next to its own published API', async () => {
    const kubeBind = platform.kubeBind;
    // The backend runs in the observability team's workspace, which binds the Postgres export.
    expect(kubeBind?.backendWorkspace.path).toBe(platform.observabilityTeam.path);
    const binding = await observability.client.get(APIServiceBindingResource, kubeBind?.bindingName ?? '');
    expect(isReady(binding)).toBe(true);
    expect(binding.status?.boundSchemas).toEqual(
      expect.arrayContaining([{ group: 'postgresql.cnpg.io', resource: 'clusters' }]),
    );
    expect(progress).toContain(
      `observability team: root:${prefix}observability-team exports search.observability.kubeloom.dev (syncagent + stand-in Elastic, observability cluster)`,
    );
    expect(progress).toContain(
      'observability cluster: observability-team bound postgresql.cnpg.io (kubeloom bind); the konnector installed its CRDs',
    );
  });

  it('a tenant’s Elasticsearch gets a Postgres on the database team’s cluster, Ready comes back, and deleting the Elasticsearch removes everything', async () => {
    const inTenant = kcp.clientFor(tenant.path);
    await inTenant.create(ElasticsearchResource, { metadata: { name: 'logs', namespace: 'default' } });
    const copy = await waitFor(
      async () =>
        (
          await observability.client.list(ElasticsearchResource, {
            labelSelector: `syncagent.kcp.io/remote-object-cluster=${tenant.clusterName}`,
          })
        ).items[0],
      {
        what: "the observability team's syncagent to copy Elasticsearch logs to its cluster",
        timeoutMs: SLOW_MS,
      },
    );
    const obsNamespace = copy.metadata?.namespace ?? '';
    const postgres = compositionPostgresName(copy);
    const backendNamespace = providerNamespaceName(platform.kubeBind?.clusterNamespace ?? '', obsNamespace);
    const serviceNamespace = platform.kubeBind?.backendWorkspace.clusterName ?? '';

    const inBackend = await waitFor(
      () => getOrUndefined(backend.get(PostgresClusterResource, postgres, { namespace: backendNamespace })),
      {
        what: `Cluster ${backendNamespace}/${postgres} in the backend workspace (konnector)`,
        timeoutMs: SLOW_MS,
      },
    );
    expect(inBackend.spec).toMatchObject({ instances: 1 });
    const onService = await waitFor(
      () =>
        getOrUndefined(
          teamCluster.client.get(PostgresClusterResource, postgres, { namespace: serviceNamespace }),
        ),
      { what: `Cluster ${serviceNamespace}/${postgres} on the database team's cluster`, timeoutMs: SLOW_MS },
    );
    expect(onService.spec).toMatchObject({ instances: 1 });
    const ready = await waitFor(
      async () => {
        const c = await observability.client.get(PostgresClusterResource, postgres, {
          namespace: obsNamespace,
        });
        return isReady(c) ? c : undefined;
      },
      { what: 'Ready from the stand-in CNPG operator on the observability cluster', timeoutMs: SLOW_MS },
    );
    expect(ready.status).toMatchObject({ phase: 'Cluster in healthy state', readyInstances: 1 });
    // The observability team's own API works the other way at the same time.
    const search = await waitFor(
      async () => {
        const es = await inTenant.get(ElasticsearchResource, 'logs', { namespace: 'default' });
        return isReady(es) ? es : undefined;
      },
      { what: 'Elasticsearch logs Ready in the tenant', timeoutMs: SLOW_MS },
    );
    expect(search.status?.url).toContain('logs-es-http');

    await inTenant.delete(ElasticsearchResource, 'logs', { namespace: 'default' });
    await waitForGone(
      teamCluster.client,
      PostgresClusterResource,
      postgres,
      serviceNamespace,
      "the database team's cluster",
    );
    await waitForGone(backend, PostgresClusterResource, postgres, backendNamespace, 'the backend workspace');
    await waitForGone(
      observability.client,
      PostgresClusterResource,
      postgres,
      obsNamespace,
      'the observability cluster',
    );
    await waitForGone(
      observability.client,
      ElasticsearchResource,
      'logs',
      obsNamespace,
      'the observability cluster',
    );
    expect(await getOrUndefined(inTenant.get(ElasticsearchResource, 'logs', { namespace: 'default' }))).toBe(
      undefined,
    );
  });

  it('measures observability-cluster create → backend copy → database-team copy, and status back', async () => {
    const n = 10;
    const namespace = `lat-${randomBytes(3).toString('hex')}`;
    await observability.client.create(NamespaceResource, { metadata: { name: namespace } });
    const inKcp = firstSeen(backend, stop.signal);
    const onService = firstSeen(teamCluster.client, stop.signal);
    const back = firstSeen(observability.client, stop.signal);
    await Promise.all([inKcp, onService, back].map((w) => w.informer.waitForSync({ timeoutMs: 60_000 })));
    // The first object of a namespace waits for the backend to set the namespace up (APIServiceNamespace):
    // timed on its own, and out of the way of the steady-state numbers.
    const firstAt = Date.now();
    await observability.client.create(PostgresClusterResource, {
      metadata: { name: 'lat-first', namespace },
      spec: { instances: 1, storage: { size: '1Gi' } },
    });
    await waitFor(() => back.ready.has('lat-first'), {
      what: "the namespace's first Cluster to reach the database team's cluster and come back Ready",
      timeoutMs: SLOW_MS,
      intervalMs: 100,
    });
    const first = (inKcp.seen.get('lat-first') ?? Number.NaN) - firstAt;
    const created = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = `lat-${i}`;
      created.set(name, Date.now());
      await observability.client.create(PostgresClusterResource, {
        metadata: { name, namespace },
        spec: { instances: 1, storage: { size: '1Gi' } },
      });
    }
    await waitFor(() => [...created.keys()].every((name) => back.ready.has(name)), {
      what: `${n} Clusters to reach the database team's cluster and come back Ready`,
      timeoutMs: SLOW_MS,
      intervalMs: 100,
    });
    const since = (seen: Map<string, number>, from: (name: string) => number): number[] =>
      [...created.keys()].map((name) => (seen.get(name) ?? Number.NaN) - from(name));
    const mids = since(inKcp.seen, (name) => created.get(name) ?? 0);
    const ups = since(onService.seen, (name) => created.get(name) ?? 0);
    const downs = since(back.ready, (name) => onService.ready.get(name) ?? Number.NaN);
    console.log(
      `[kube-bind chain] first object of a new namespace → kcp copy (with the APIServiceNamespace set-up): ${first} ms; then observability create → kcp copy (konnector): ${summary(mids)}; observability create → database team copy: ${summary(ups)}; database team status → observability status: ${summary(downs)} (n=${n}, each time seen by a watch)`,
    );
    expect(ups.every(Number.isFinite)).toBe(true);
    expect(downs.every(Number.isFinite)).toBe(true);
  });
});
