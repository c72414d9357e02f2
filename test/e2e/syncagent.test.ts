/**
 * The syncagent example end to end: real kcp, and a real kube-apiserver as the service cluster, running
 * the KubeCon London 2025 workshop ("03-dynamic-providers") with its PublishedResources applied
 * unchanged. A fake plays the CNPG operator on the service cluster (status and the app Secret only).
 */
import { join } from 'node:path';
import {
  type Client,
  EventResource,
  type KubeObject,
  NamespaceResource,
  SecretResource,
  applyManifests,
  defineResource,
  isNotFound,
  loadManifests,
  parseManifests,
  waitFor,
} from '@kubeloom/core';
import { installCrds } from '@kubeloom/core/testing';
import { APIBindingResource, APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  PublishedResourceResource,
  type RelatedResourceSpec,
} from '@kubeloom/example-syncagent/published-resource';
import { type SyncAgent, createSyncAgent } from '@kubeloom/example-syncagent/sync-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { getIfExists, untilExists, untilGone } from './object-presence.ts';
import { bindConsumerWorkspace, createWorkspaceRetrying } from './syncagent-consumer.ts';
import { quietLogger } from './syncagent-logger.ts';
import { sharedKube } from './kube.ts';
import { publishedResourceCrdObject, widgetCrd } from './syncagent-crds.ts';
import {
  CnpgClusterResource,
  CnpgDatabaseResource,
  type FakeCnpg,
  startFakeCnpg,
} from './syncagent-fake-cnpg.ts';

const testdata = join(import.meta.dirname, '../../examples/syncagent/testdata');
const fixture = (name: string): string => join(testdata, name);
const EXPORT = 'postgresql.cnpg.io';
const AGENT = 'syncagent-e2e';
/** kcp and the service cluster share a loaded 2-core machine with other tests: waits are generous. */
const SLOW_MS = 180_000;
const TEST_MS = 600_000;

const quantile = (values: number[], q: number): number => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};

/** The Widgets of {@link widgetCrd}. */
const WidgetResource = defineResource<KubeObject & { spec?: unknown; status?: { phase?: string } }>({
  group: 'e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** A Cluster's spec.description (the field the CEL mutation tests write). */
const descriptionOf = (cluster: KubeObject | undefined): string | undefined =>
  (cluster as { spec?: { description?: string } } | undefined)?.spec?.description;

/** Applies one of the workshop's consumer manifests into the consumer's `default` namespace, as its user would. */
async function applyConsumerFixture(client: Client, name: string): Promise<void> {
  await applyManifests(client, await loadManifests(fixture(name)), {
    fieldManager: 'consumer',
    namespace: 'default',
  });
}

describe('syncagent: the workshop on real kcp and a real kube-apiserver', () => {
  let kcp: KcpTestEnvironment;
  let service: Client;
  let provider: KcpWorkspace;
  let agent: SyncAgent;
  let fake: FakeCnpg;
  const stopAgent = new AbortController();
  let agentRun: Promise<void>;
  const agentErrors: string[] = [];
  const agentWarnings: string[] = [];
  const consumers: KcpWorkspace[] = [];

  beforeAll(async () => {
    kcp = await sharedKcp();
    const kube = await sharedKube();
    service = kube.client;
    await installCrds(service, [
      join(testdata, 'postgresql.cnpg.io_clusters.yaml'),
      join(testdata, 'postgresql.cnpg.io_databases.yaml'),
      await publishedResourceCrdObject(),
    ]);
    await deletePublishedResources();
    const agentNamespace = await service.create(NamespaceResource, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { generateName: 'syncagent-' },
    });
    provider = await createWorkspaceRetrying(kcp, 'syncagent-provider-', SLOW_MS);
    await applyManifests(kcp.clientFor(provider.path), await loadManifests(fixture('export.yaml')), {
      fieldManager: 'workshop',
    });
    agent = await createSyncAgent({
      service,
      kcp: kcp.clientFor(provider.path),
      apiExportRef: EXPORT,
      namespace: agentNamespace.metadata?.name ?? '',
      agentName: AGENT,
      logger: quietLogger(agentErrors, agentWarnings),
      notReadyGraceMs: 5_000,
      staleWorkspaceGraceMs: 5_000,
    });
    agentRun = agent.start(stopAgent.signal);
    fake = startFakeCnpg(service);
  }, 600_000);

  afterAll(async () => {
    // Retried errors are part of normal operation (conflicts, a virtual workspace still catching up); list them for diagnosis.
    const distinct = [...new Set(agentErrors.map((e) => e.slice(0, 300)))];
    if (distinct.length > 0)
      console.log(
        `[syncagent] ${agentErrors.length} agent error lines, distinct:\n${distinct.slice(0, 10).join('\n')}`,
      );
    stopAgent.abort();
    await agentRun?.catch(() => {});
    await fake?.stop();
    await deletePublishedResources();
  });

  /**
   * Deletes the PublishedResources this file creates (cluster-scoped, on the shared service cluster), so that
   * a rerun against the same server starts from the workshop's objects, not from a previous run's edits.
   */
  async function deletePublishedResources(): Promise<void> {
    for (const name of [
      'publish-cnpg-cluster',
      'publish-cnpg-database',
      'publish-cnpg-broken',
      'publish-widgets',
    ]) {
      await service
        .delete(PublishedResourceResource, name)
        .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
      await untilGone(service, PublishedResourceResource, name, undefined, {
        what: `PublishedResource ${name} deleted`,
        timeoutMs: 60_000,
      });
    }
  }

  /** A new consumer workspace bound to the export (claims accepted), once it serves the bound API. */
  async function bindConsumer(): Promise<KcpWorkspace> {
    // As the workshop's `kubectl kcp bind apiexport --accept-permission-claim secrets.core,namespaces.core`.
    const consumer = await bindConsumerWorkspace(kcp, {
      generateName: 'syncagent-consumer-',
      exportPath: provider.path,
      exportName: EXPORT,
      served: CnpgClusterResource,
      acceptClaim: (claim) => claim.group === '' && ['secrets', 'namespaces'].includes(claim.resource),
      timeoutMs: SLOW_MS,
    });
    consumers.push(consumer);
    return consumer;
  }

  it(
    'publishes both workshop resources: schemas in kcp, status on the PublishedResources, claims on the export',
    async () => {
      const manifests = [
        ...(await loadManifests(fixture('resources-cluster.yaml'))),
        ...(await loadManifests(fixture('resources-database.yaml'))),
      ];
      await applyManifests(service, manifests, { fieldManager: 'workshop' });
      await waitFor(
        async () => {
          const prs = (await service.list(PublishedResourceResource)).items;
          return ['publish-cnpg-cluster', 'publish-cnpg-database'].every(
            (n) => prs.find((p) => p.metadata.name === n)?.status?.resourceSchemaName,
          );
        },
        { what: 'both PublishedResources published', timeoutMs: SLOW_MS },
      );
      const cluster = await service.get(PublishedResourceResource, 'publish-cnpg-cluster');
      expect(cluster.status?.resourceSchemaName).toBe('v07575a90.clusters.postgresql.cnpg.io');
      expect((cluster.status as { conditions?: unknown[] }).conditions).toMatchObject([
        {
          type: 'Ready',
          status: 'True',
          reason: 'Published',
          message: 'published as APIResourceSchema v07575a90.clusters.postgresql.cnpg.io',
        },
      ]);
      const exporter = kcp.clientFor(provider.path);
      await waitFor(
        async () => ((await exporter.get(APIExportResource, EXPORT)).spec?.resources ?? []).length === 2,
        {
          what: 'two schemas in the APIExport',
          timeoutMs: SLOW_MS,
        },
      );
      const apiExport = await exporter.get(APIExportResource, EXPORT);
      expect(apiExport.spec?.resources?.map((r) => r.schema)).toEqual([
        'v07575a90.clusters.postgresql.cnpg.io',
        'vc44db4dd.databases.postgresql.cnpg.io',
      ]);
      expect(apiExport.spec?.permissionClaims?.map((c) => c.resource)).toEqual([
        'events',
        'namespaces',
        'secrets',
      ]);
      expect(apiExport.metadata.annotations?.['syncagent.kcp.io/agent-name']).toBe(AGENT);
    },
    TEST_MS,
  );

  it(
    "syncs a consumer's Cluster, its credentials Secret and a Database down, and their status up",
    async () => {
      const consumer = await bindConsumer();
      const client = kcp.clientFor(consumer.path);
      await applyConsumerFixture(client, 'consumer-1-cluster.yaml');
      await applyConsumerFixture(client, 'consumer-1-database.yaml');
      const ns = consumer.clusterName;
      const copy = await untilExists(service, CnpgClusterResource, 'kcp', ns, {
        what: `Cluster ${ns}/kcp on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      expect(copy.metadata?.labels).toMatchObject({
        'syncagent.kcp.io/agent-name': AGENT,
        'syncagent.kcp.io/remote-object-cluster': ns,
      });
      expect(copy.metadata?.annotations).toMatchObject({
        'syncagent.kcp.io/remote-object-name': 'kcp',
        'syncagent.kcp.io/remote-object-namespace': 'default',
      });
      expect(copy.spec).toMatchObject({ instances: 1, superuserSecret: { name: 'kcp-superuser' } });
      await untilExists(service, SecretResource, 'kcp-superuser', ns, {
        what: `the related Secret ${ns}/kcp-superuser on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      expect((await service.get(SecretResource, 'kcp-superuser', { namespace: ns })).data).toEqual({
        username: 'cG9zdGdyZXM=',
        password: 'cGFzc3dvcmQ=',
      });
      expect(
        (await client.get(SecretResource, 'kcp-superuser', { namespace: 'default' })).metadata?.finalizers,
      ).toEqual(['syncagent.kcp.io/cleanup']);
      await untilExists(service, CnpgDatabaseResource, 'db-one', ns, {
        what: `Database ${ns}/db-one on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      // Status flows back into kcp.
      await waitFor(
        async () =>
          (await client.get(CnpgClusterResource, 'kcp', { namespace: 'default' })).status?.phase ===
          'Cluster in healthy state',
        { what: 'the Cluster status in kcp', timeoutMs: SLOW_MS },
      );
      const inKcp = await client.get(CnpgClusterResource, 'kcp', { namespace: 'default' });
      expect(inKcp.status).toMatchObject({
        conditions: [{ type: 'Ready', status: 'True' }],
        currentPrimary: 'kcp-1',
      });
      expect(inKcp.metadata?.finalizers).toEqual(['syncagent.kcp.io/cleanup']);
      await waitFor(
        async () =>
          (await client.get(CnpgDatabaseResource, 'db-one', { namespace: 'default' })).status?.applied ===
          true,
        { what: 'the Database status (applied) in kcp', timeoutMs: SLOW_MS },
      );
    },
    TEST_MS,
  );

  it(
    'gives a second consumer its own namespace: the same names do not collide',
    async () => {
      const second = await bindConsumer();
      const client = kcp.clientFor(second.path);
      await applyConsumerFixture(client, 'consumer-1-cluster.yaml');
      await untilExists(service, CnpgClusterResource, 'kcp', second.clusterName, {
        what: `Cluster ${second.clusterName}/kcp on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      const [first] = consumers as [KcpWorkspace];
      expect(first.clusterName).not.toBe(second.clusterName);
      const copies = (
        await service.list(CnpgClusterResource, { labelSelector: `syncagent.kcp.io/agent-name=${AGENT}` })
      ).items
        .filter((c) => c.metadata?.name === 'kcp')
        .map((c) => c.metadata?.namespace ?? '')
        .toSorted((a, b) => a.localeCompare(b));
      expect(copies).toEqual([first.clusterName, second.clusterName].toSorted((a, b) => a.localeCompare(b)));
    },
    TEST_MS,
  );

  it(
    'carries a spec edit in kcp to the copy, keeping a service-side change to another field',
    async () => {
      const [first] = consumers as [KcpWorkspace];
      const client = kcp.clientFor(first.path);
      const ns = first.clusterName;
      await service.patch(
        CnpgClusterResource,
        'kcp',
        { spec: { description: 'set on the service side' } },
        { namespace: ns },
      );
      await client.patch(CnpgClusterResource, 'kcp', { spec: { instances: 3 } }, { namespace: 'default' });
      await waitFor(
        async () => (await service.get(CnpgClusterResource, 'kcp', { namespace: ns })).spec?.instances === 3,
        {
          what: 'instances: 3 on the copy',
          timeoutMs: SLOW_MS,
        },
      );
      expect((await service.get(CnpgClusterResource, 'kcp', { namespace: ns })).spec).toMatchObject({
        instances: 3,
        description: 'set on the service side',
      });
    },
    TEST_MS,
  );

  it(
    'deletes the copy when the Cluster is deleted in kcp, then lets the kcp object go',
    async () => {
      const [first] = consumers as [KcpWorkspace];
      const client = kcp.clientFor(first.path);
      const ns = first.clusterName;
      await client.delete(CnpgClusterResource, 'kcp', { namespace: 'default' });
      await untilGone(service, CnpgClusterResource, 'kcp', ns, {
        what: 'the copy deleted',
        timeoutMs: SLOW_MS,
      });
      await untilGone(client, CnpgClusterResource, 'kcp', 'default', {
        what: 'the kcp Cluster gone',
        timeoutMs: SLOW_MS,
      });
      // The kcp-origin related Secret: its copy is gone and the original released, not deleted.
      await untilGone(service, SecretResource, 'kcp-superuser', ns, {
        what: 'the related Secret copy deleted',
        timeoutMs: SLOW_MS,
      });
      expect(
        (await client.get(SecretResource, 'kcp-superuser', { namespace: 'default' })).metadata?.finalizers ??
          [],
      ).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'reports an invalid PublishedResource on itself (condition and event) and keeps syncing the others',
    async () => {
      await applyManifests(
        service,
        await parseManifests(`
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-cnpg-broken
spec:
  resource: {kind: Pooler, apiGroup: postgresql.cnpg.io, version: v1}
  naming:
    namespace: "{{ if .ClusterName }}x{{ end }}"
`),
        { fieldManager: 'workshop' },
      );
      const message =
        'PublishedResource publish-cnpg-broken is invalid and is not synced (fix the fields named here): spec.naming.namespace: template does not parse: the "if" action is not supported; only field values, literals and functions are (in {{ if .ClusterName }})';
      await waitFor(
        async () =>
          (
            (await service.get(PublishedResourceResource, 'publish-cnpg-broken')).status as
              | { conditions?: Array<{ message?: string }> }
              | undefined
          )?.conditions?.[0]?.message === message,
        { what: 'the InvalidSpec condition', timeoutMs: SLOW_MS },
      );
      const broken = await service.get(PublishedResourceResource, 'publish-cnpg-broken');
      expect((broken.status as { conditions?: unknown[] }).conditions).toMatchObject([
        { type: 'Ready', status: 'False', reason: 'InvalidSpec', message },
      ]);
      await waitFor(
        async () =>
          (await service.list(EventResource, { namespace: 'default' })).items.some(
            (e) =>
              e.involvedObject?.name === 'publish-cnpg-broken' &&
              e.reason === 'InvalidSpec' &&
              e.message === message,
          ),
        { what: 'the InvalidSpec event', timeoutMs: 30_000 },
      );
      expect(agent.syncing()).toEqual(['publish-cnpg-cluster', 'publish-cnpg-database']);
    },
    TEST_MS,
  );

  it(
    'restarts a changed PublishedResource cleanly: a filtered-out object is released, a matching one syncs',
    async () => {
      const [first] = consumers as [KcpWorkspace];
      const client = kcp.clientFor(first.path);
      const ns = first.clusterName;
      expect(
        (await client.get(CnpgDatabaseResource, 'db-one', { namespace: 'default' })).metadata?.finalizers,
      ).toEqual(['syncagent.kcp.io/cleanup']);
      await service.patch(PublishedResourceResource, 'publish-cnpg-database', {
        spec: { filter: { resource: { matchLabels: { tier: 'gold' } } } },
      });
      // db-one has no tier label, so it no longer matches: it is released, and deleting it in kcp is not blocked.
      await waitFor(
        async () =>
          (
            (await client.get(CnpgDatabaseResource, 'db-one', { namespace: 'default' })).metadata
              ?.finalizers ?? []
          ).length === 0,
        { what: 'db-one released (finalizer removed)', timeoutMs: SLOW_MS },
      );
      await client.delete(CnpgDatabaseResource, 'db-one', { namespace: 'default' });
      await untilGone(client, CnpgDatabaseResource, 'db-one', 'default', {
        what: 'db-one deleted in kcp',
        timeoutMs: SLOW_MS,
      });
      // Its copy is kept: a configuration change never deletes anything.
      expect(await getIfExists(service, CnpgDatabaseResource, 'db-one', ns)).toBeDefined();
      await client.create(CnpgDatabaseResource, {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Database',
        metadata: { name: 'db-gold', namespace: 'default', labels: { tier: 'gold' } },
        spec: { name: 'gold', owner: 'app', cluster: { name: 'kcp' } },
      } as never);
      await waitFor(
        async () =>
          (await getIfExists(client, CnpgDatabaseResource, 'db-gold', 'default'))?.status?.applied === true,
        { what: 'db-gold synced by the restarted controller and applied', timeoutMs: SLOW_MS },
      );
      expect(await getIfExists(service, CnpgDatabaseResource, 'db-gold', ns)).toBeDefined();
      expect(agent.syncing()).toEqual(['publish-cnpg-cluster', 'publish-cnpg-database']);
    },
    TEST_MS,
  );

  it(
    "syncs a service-origin related Secret (the operator's app credentials) up into the consumer workspace, and notes it on the kcp Cluster",
    async () => {
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      const client = kcp.clientFor(second.path);
      const published = await service.get(PublishedResourceResource, 'publish-cnpg-cluster');
      // A v0.2-shaped entry, as the workshop's CRD accepts it: <cluster name>-app on both sides.
      const appCredentials = {
        kind: 'Secret',
        origin: 'service',
        identifier: 'app-credentials',
        reference: { name: { path: 'metadata.name', regex: { pattern: '^(.*)$', replacement: '$1-app' } } },
      };
      await service.patch(PublishedResourceResource, 'publish-cnpg-cluster', {
        // The type describes the current shape, which this older entry is not.
        spec: {
          related: [...(published.spec.related ?? []), appCredentials as unknown as RelatedResourceSpec],
        },
      });
      await untilExists(client, SecretResource, 'kcp-app', 'default', {
        what: 'the app Secret kcp-app in the consumer workspace',
        timeoutMs: SLOW_MS,
      });
      const secret = await client.get(SecretResource, 'kcp-app', { namespace: 'default' });
      expect(secret.data).toEqual({
        username: Buffer.from('app').toString('base64'),
        password: Buffer.from('generated-by-fake-cnpg').toString('base64'),
      });
      expect(secret.type).toBe('kubernetes.io/basic-auth');
      // Upstream's hint on the kcp primary: where its service-origin related object landed.
      await waitFor(
        async () =>
          (await client.get(CnpgClusterResource, 'kcp', { namespace: 'default' })).metadata?.annotations?.[
            'related-resources.syncagent.kcp.io/app-credentials.0'
          ] === '{"namespace":"default","name":"kcp-app","apiVersion":"v1","kind":"Secret"}',
        { what: 'the related-resources hint annotation on the kcp Cluster', timeoutMs: SLOW_MS },
      );
      // The kcp-origin credentials keep flowing down after the restart.
      expect(await getIfExists(service, SecretResource, 'kcp-superuser', second.clusterName)).toBeDefined();
    },
    TEST_MS,
  );

  it(
    'measures end-to-end latency over 20 Clusters: create in kcp -> copy exists; status written -> visible in kcp',
    async () => {
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      const client = kcp.clientFor(second.path);
      const ns = second.clusterName;
      const count = 20;
      const created = new Map<string, number>();
      const copied = new Map<string, number>();
      const statusSeen = new Map<string, number>();
      const names = Array.from({ length: count }, (_, i) => `latency-${i}`);
      for (const name of names) {
        await client.create(CnpgClusterResource, {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          metadata: { name, namespace: 'default' },
          spec: { instances: 1, storage: { size: '1Gi' } },
        } as never);
        created.set(name, Date.now());
      }
      await waitFor(
        async () => {
          const [copies, remotes] = await Promise.all([
            service.list(CnpgClusterResource, { namespace: ns }),
            client.list(CnpgClusterResource, { namespace: 'default' }),
          ]);
          const now = Date.now();
          for (const c of copies.items)
            if (!copied.has(c.metadata?.name ?? '')) copied.set(c.metadata?.name ?? '', now);
          for (const r of remotes.items) {
            if (r.status?.phase === 'Cluster in healthy state' && !statusSeen.has(r.metadata?.name ?? ''))
              statusSeen.set(r.metadata?.name ?? '', now);
          }
          return names.every((n) => copied.has(n) && statusSeen.has(n));
        },
        {
          what: 'every latency Cluster copied and its status back in kcp',
          timeoutMs: SLOW_MS,
          intervalMs: 50,
        },
      );
      const toCopy = names.map((n) => (copied.get(n) as number) - (created.get(n) as number));
      const toStatus = names.map(
        (n) => (statusSeen.get(n) as number) - (fake.statusWrittenAt.get(`${ns}/${n}`) as number),
      );
      const report = (what: string, v: number[]) =>
        `${what}: p50 ${quantile(v, 0.5)} ms, p99 ${quantile(v, 0.99)} ms, max ${Math.max(...v)} ms (n=${v.length})`;
      console.log(`[syncagent] ${report('create in kcp -> copy on the service cluster', toCopy)}`);
      console.log(
        `[syncagent] ${report('status written on the service cluster -> visible in kcp', toStatus)}`,
      );
      expect(toStatus.every((v) => Number.isFinite(v))).toBe(true);
      expect(quantile(toCopy, 0.5)).toBeLessThan(30_000);
    },
    TEST_MS,
  );

  it(
    'garbage-collects the copies and namespace of a workspace that unbinds, after the grace period',
    async () => {
      const leaving = await bindConsumer();
      const client = kcp.clientFor(leaving.path);
      await applyConsumerFixture(client, 'consumer-1-cluster.yaml');
      const ns = leaving.clusterName;
      await untilExists(service, CnpgClusterResource, 'kcp', ns, {
        what: `Cluster ${ns}/kcp on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      await client.delete(APIBindingResource, EXPORT);
      await untilGone(service, CnpgClusterResource, 'kcp', ns, {
        what: "the unbound workspace's copy collected",
        timeoutMs: SLOW_MS,
      });
      await waitFor(
        async () => {
          const namespace = await getIfExists(service, NamespaceResource, ns);
          return namespace === undefined || namespace.metadata?.deletionTimestamp !== undefined;
        },
        { what: `namespace ${ns} deleted`, timeoutMs: SLOW_MS },
      );
      // The other consumers' copies are untouched.
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      expect(await getIfExists(service, CnpgClusterResource, 'kcp', second.clusterName)).toBeDefined();
    },
    TEST_MS,
  );

  /**
   * Gives publish-cnpg-cluster a CEL mutation writing spec.description (plus `spec` fields), and waits until
   * the copy of Cluster `kcp` in `ns` shows `expected`: the restarted sync controller has synced it.
   */
  async function publishDescription(
    expression: string,
    spec: Record<string, unknown>,
    ns: string,
    expected: string,
  ): Promise<void> {
    await service.patch(PublishedResourceResource, 'publish-cnpg-cluster', {
      spec: { ...spec, mutation: { spec: [{ cel: { path: 'spec.description', expression } }] } },
    });
    await waitFor(
      async () =>
        descriptionOf(await service.get(CnpgClusterResource, 'kcp', { namespace: ns })) === expected,
      {
        what: `spec.description "${expected}" (a CEL mutation) on the copy of Cluster kcp`,
        timeoutMs: SLOW_MS,
      },
    );
  }

  /** publish-cnpg-cluster's related entries, with the app-credentials entry (added above) changed by `change`. */
  async function withAppCredentials(change: Record<string, unknown>): Promise<RelatedResourceSpec[]> {
    const published = await service.get(PublishedResourceResource, 'publish-cnpg-cluster');
    return (published.spec.related ?? []).map((r) =>
      r.identifier === 'app-credentials' ? { ...r, ...change } : r,
    );
  }

  it(
    'applies a CEL mutation rule (spec.mutation.spec) to the copy on the service cluster, not to the kcp object',
    async () => {
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      const client = kcp.clientFor(second.path);
      const ns = second.clusterName;
      await publishDescription(
        "'managed by kcp for ' + self.metadata.name",
        {},
        ns,
        'managed by kcp for kcp',
      );
      // Every copy gets it, each in its own reconcile after the restart: wait for another one too.
      await waitFor(
        async () =>
          descriptionOf(await service.get(CnpgClusterResource, 'latency-0', { namespace: ns })) ===
          'managed by kcp for latency-0',
        { what: 'spec.description (a CEL mutation) on the copy of Cluster latency-0', timeoutMs: SLOW_MS },
      );
      expect(descriptionOf(await client.get(CnpgClusterResource, 'kcp', { namespace: 'default' }))).toBe(
        undefined,
      );
    },
    TEST_MS,
  );

  it(
    "wakes the primary's sync when a watched related Secret changes (service-origin, then kcp-origin), applies a related mutation, and with cleanup: true deletes its copy with the primary",
    async () => {
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      const client = kcp.clientFor(second.path);
      const ns = second.clusterName;
      // A new mutation expression too: seeing it on the copy shows the restarted controller has synced this primary.
      await publishDescription(
        "'watched: ' + self.metadata.name",
        {
          related: (
            await withAppCredentials({
              watch: { bySelector: { matchLabels: { 'syncagent.kcp.io/agent-name': AGENT } } },
              cleanup: true,
              // A related mutation: the consumer's copy gets the password only.
              mutation: { spec: [{ delete: { path: 'data.username' } }] },
            })
          ).map((r) => (r.identifier === 'credentials' ? { ...r, watch: { bySelector: {} } } : r)),
        },
        ns,
        'watched: kcp',
      );
      // Let the restart's own wake-ups settle (the copy unchanged for 5 s), so only the watch can carry what follows.
      let lastVersion = '';
      let quietSince = Date.now();
      await waitFor(
        async () => {
          const version = (await service.get(CnpgClusterResource, 'kcp', { namespace: ns })).metadata
            ?.resourceVersion;
          if (version !== lastVersion) [lastVersion, quietSince] = [version ?? '', Date.now()];
          return Date.now() - quietSince >= 5_000;
        },
        { what: 'the copy of Cluster kcp unchanged for 5 s', timeoutMs: SLOW_MS, intervalMs: 500 },
      );
      // The operator rotates the password; nothing about the primary changes, and there is no periodic resync.
      const rotatedAt = Date.now();
      await service.patch(
        SecretResource,
        'kcp-app',
        { stringData: { password: 'rotated-by-the-operator' } },
        { namespace: ns },
      );
      const rotated = Buffer.from('rotated-by-the-operator').toString('base64');
      await waitFor(
        async () =>
          (await client.get(SecretResource, 'kcp-app', { namespace: 'default' })).data?.password === rotated,
        { what: "the rotated password in the consumer's kcp-app", timeoutMs: SLOW_MS },
      );
      console.log(
        `[syncagent] related Secret changed on the service cluster -> copy in kcp: ${Date.now() - rotatedAt} ms`,
      );
      expect(
        Object.keys((await client.get(SecretResource, 'kcp-app', { namespace: 'default' })).data ?? {}),
      ).toEqual(['password']);
      expect(
        Object.keys((await service.get(SecretResource, 'kcp-app', { namespace: ns })).data ?? {}).toSorted(),
      ).toEqual(['password', 'username']);
      // The other direction: the consumer rotates the superuser password in kcp (origin: kcp, watched there).
      const kcpRotatedAt = Date.now();
      await client.patch(
        SecretResource,
        'kcp-superuser',
        { stringData: { password: 'rotated-by-the-consumer' } },
        { namespace: 'default' },
      );
      const kcpRotated = Buffer.from('rotated-by-the-consumer').toString('base64');
      await waitFor(
        async () =>
          (await service.get(SecretResource, 'kcp-superuser', { namespace: ns })).data?.password ===
          kcpRotated,
        {
          what: 'the rotated superuser password in the service-side copy of kcp-superuser',
          timeoutMs: SLOW_MS,
        },
      );
      console.log(
        `[syncagent] related Secret changed in kcp -> copy on the service cluster: ${Date.now() - kcpRotatedAt} ms`,
      );
      // cleanup: true — deleting the primary deletes the service-origin related copy in kcp; the original stays.
      await client.delete(CnpgClusterResource, 'kcp', { namespace: 'default' });
      await untilGone(client, SecretResource, 'kcp-app', 'default', {
        what: "the consumer's copy kcp-app deleted with its Cluster",
        timeoutMs: SLOW_MS,
      });
      await untilGone(client, CnpgClusterResource, 'kcp', 'default', {
        what: 'the kcp Cluster gone',
        timeoutMs: SLOW_MS,
      });
      expect(await getIfExists(service, SecretResource, 'kcp-app', ns)).toBeDefined();
    },
    TEST_MS,
  );

  it(
    'syncs the status of a service-origin related Widget into kcp (syncStatus), and reports StatusSubresourceMissing for a Secret (condition, event)',
    async () => {
      const [, second] = consumers as [KcpWorkspace, KcpWorkspace];
      const client = kcp.clientFor(second.path);
      const ns = second.clusterName;
      await installCrds(service, [widgetCrd]);
      // Published (schema in the export) but not synced itself: its objects here are related objects only.
      await applyManifests(
        service,
        await parseManifests(`
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-widgets
spec:
  resource: {kind: Widget, apiGroup: e2e.kubeloom.dev, version: v1}
  synchronization: {enabled: false}
`),
        { fieldManager: 'workshop' },
      );
      await waitFor(
        async () =>
          client.list(WidgetResource, { namespace: 'default' }).then(
            () => true,
            () => false,
          ),
        { what: 'the consumer serves widgets.e2e.kubeloom.dev', timeoutMs: SLOW_MS },
      );
      await client.create(CnpgClusterResource, {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'status-demo', namespace: 'default' },
        spec: { instances: 1, storage: { size: '1Gi' } },
      } as never);
      await untilExists(service, CnpgClusterResource, 'status-demo', ns, {
        what: `Cluster ${ns}/status-demo on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      // The operator's Widget next to the copy, with a status.
      const widget = await service.create(WidgetResource, {
        apiVersion: 'e2e.kubeloom.dev/v1',
        kind: 'Widget',
        metadata: { name: 'status-demo', namespace: ns },
        spec: { size: 3 },
      });
      await service.updateStatus(WidgetResource, { ...widget, status: { phase: 'Provisioned' } });
      await service.patch(PublishedResourceResource, 'publish-cnpg-cluster', {
        spec: {
          related: [
            ...(await withAppCredentials({ syncStatus: true })),
            {
              identifier: 'widget',
              origin: 'service',
              group: 'e2e.kubeloom.dev',
              version: 'v1',
              resource: 'widgets',
              object: { reference: { path: 'metadata.name' } },
              syncStatus: true,
              watch: { bySelector: {} },
            },
          ],
        },
      });
      await waitFor(
        async () =>
          (await getIfExists(client, WidgetResource, 'status-demo', 'default'))?.status?.phase ===
          'Provisioned',
        { what: "the Widget's status in the consumer workspace", timeoutMs: SLOW_MS },
      );
      expect((await client.get(WidgetResource, 'status-demo', { namespace: 'default' })).spec).toEqual({
        size: 3,
      });
      // A later status change on the service cluster follows (the watch wakes the primary).
      const current = await service.get(WidgetResource, 'status-demo', { namespace: ns });
      await service.updateStatus(WidgetResource, { ...current, status: { phase: 'Resized' } });
      await waitFor(
        async () =>
          (await client.get(WidgetResource, 'status-demo', { namespace: 'default' })).status?.phase ===
          'Resized',
        { what: "the Widget's changed status in the consumer workspace", timeoutMs: SLOW_MS },
      );
      // The Secret entry's syncStatus has nothing to write: a condition and an event on the PublishedResource.
      const related =
        (await service.get(PublishedResourceResource, 'publish-cnpg-cluster')).spec.related ?? [];
      const index = related.findIndex((r) => r.identifier === 'app-credentials');
      const missing = `spec.related[${index}] ("app-credentials"): syncStatus is set, but secrets has no status subresource; its status is not synced (remove syncStatus, or give the CRD a status subresource)`;
      await waitFor(
        async () =>
          (
            (await service.get(PublishedResourceResource, 'publish-cnpg-cluster')).status as
              | { conditions?: Array<{ type?: string; status?: string; message?: string }> }
              | undefined
          )?.conditions?.some(
            (c) => c.type === 'StatusSubresourceMissing' && c.status === 'True' && c.message === missing,
          ),
        { what: 'the StatusSubresourceMissing condition', timeoutMs: SLOW_MS },
      );
      await waitFor(
        async () =>
          (await service.list(EventResource, { namespace: 'default' })).items.some(
            (e) =>
              e.involvedObject?.name === 'publish-cnpg-cluster' &&
              e.type === 'Warning' &&
              e.reason === 'StatusSubresourceMissing' &&
              e.message === missing,
          ),
        { what: 'the StatusSubresourceMissing event', timeoutMs: 30_000 },
      );
      expect(agentWarnings).toContain(missing);
    },
    TEST_MS,
  );
});
