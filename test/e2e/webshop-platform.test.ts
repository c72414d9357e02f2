/**
 * The webshop example's platform on real kcp and a real kube-apiserver: the database and observability
 * teams publish their APIs through two syncagents with stand-in operators on their own cluster (started
 * here, since the platform creates PublishedResources there), and a tenant that binds both exports gets
 * Ready instances and their credentials Secrets in its own workspace.
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  DeploymentResource,
  type KubeObject,
  NamespaceResource,
  type ResourceDescriptor,
  SecretResource,
  defineResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import { APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  ElasticsearchResource,
  PostgresClusterResource,
  PostgresDatabaseResource,
} from '@kubeloom/example-webshop-operator/api';
import { type Platform, startPlatform } from '@kubeloom/example-webshop-operator/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

/** kcp and the clusters share a loaded 2-core machine with other tests: waits are generous. */
const SLOW_MS = 300_000;
const TEST_MS = 900_000;

/** The object, or undefined while it does not exist. */
async function find<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace = 'default',
): Promise<T | undefined> {
  return client
    .get(resource, name, { namespace })
    .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
}

const decoded = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

/** core/v1 Pods. */
const PodResource = defineResource<KubeObject & { status?: { phase?: string } }>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
});

const isReady = (object: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined) =>
  object?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('webshop platform: provider teams on real kcp and a real kube-apiserver', () => {
  let kcp: KcpTestEnvironment;
  let cluster: KubeTestEnvironment;
  let platform: Platform;
  const prefix = `wp-${randomBytes(3).toString('hex')}-`;
  const progress: string[] = [];

  beforeAll(async () => {
    kcp = await sharedKcp();
    // One cluster for both teams and compute.
    cluster = await KubeTestEnvironment.start({ name: 'webshop-platform', startTimeoutMs: 180_000 });
    platform = await startPlatform({
      kcp,
      teamClusters: cluster,
      compute: cluster,
      prefix,
      log: (line) => progress.push(line),
      timeoutMs: SLOW_MS,
    });
  }, TEST_MS);

  afterAll(async () => {
    await platform?.stop();
    await cluster?.stop();
    await kcp?.stop();
  });

  it('publishes both exports, discoverable by identity hash, and reports each step', async () => {
    for (const ref of [platform.exports.postgres, platform.exports.elastic]) {
      const apiExport = await kcp.clientFor(ref.path).get(APIExportResource, ref.name);
      expect(ref.identityHash).toBe(apiExport.status?.identityHash);
      expect(ref.identityHash).not.toBe('');
    }
    expect(platform.exports.postgres).toMatchObject({
      path: `root:${prefix}database-team`,
      name: 'postgresql.cnpg.io',
    });
    expect(platform.exports.elastic).toMatchObject({
      path: `root:${prefix}observability-team`,
      name: 'search.observability.kubeloom.dev',
    });
    expect(platform.webshopTeam.path).toBe(`root:${prefix}webshop-team`);
    expect(progress).toContain(
      `database team: root:${prefix}database-team exports postgresql.cnpg.io (syncagent + stand-in CloudNativePG)`,
    );
  });

  it(
    "gives a tenant bound to both exports a Ready database and search instance, with their credentials in the tenant's namespace",
    async () => {
      const tenant: KcpWorkspace = await platform.createTenant('tenant-a', [platform.exports.postgres]);
      expect(tenant.path).toBe(`root:${prefix}tenant-a`);
      await platform.bind(tenant, platform.exports.elastic);
      const client = kcp.clientFor(tenant.path);
      await client.create(PostgresClusterResource, {
        metadata: { name: 'shop-db', namespace: 'default' },
        spec: { instances: 1 },
      });
      await client.create(PostgresDatabaseResource, {
        metadata: { name: 'shop', namespace: 'default' },
        spec: { cluster: { name: 'shop-db' }, name: 'shop', owner: 'app' },
      });
      await client.create(ElasticsearchResource, { metadata: { name: 'shop-search', namespace: 'default' } });

      await waitFor(async () => isReady(await find(client, PostgresClusterResource, 'shop-db')), {
        what: 'Cluster shop-db Ready in the tenant',
        timeoutMs: SLOW_MS,
      });
      await waitFor(async () => (await find(client, PostgresDatabaseResource, 'shop'))?.status?.applied, {
        what: 'Database shop applied in the tenant',
        timeoutMs: SLOW_MS,
      });
      const search = await waitFor(
        async () => {
          const es = await find(client, ElasticsearchResource, 'shop-search');
          return isReady(es) && es?.status?.url ? es : undefined;
        },
        { what: 'Elasticsearch shop-search Ready with a url in the tenant', timeoutMs: SLOW_MS },
      );
      // The schema's defaults apply in the tenant workspace.
      expect(search.spec).toEqual({ version: '8.15.0', nodes: 1 });
      expect(search.status?.url).toBe(`https://shop-search-es-http.${tenant.clusterName}-search.svc:9200`);

      const dbSecret = await waitFor(() => find(client, SecretResource, 'shop-db-app'), {
        what: 'Secret shop-db-app in the tenant',
        timeoutMs: SLOW_MS,
      });
      const db = decoded(dbSecret.data);
      expect(Object.keys(db).toSorted()).toEqual(['dbname', 'host', 'password', 'port', 'uri', 'username']);
      expect(db).toMatchObject({
        username: 'app',
        dbname: 'app',
        host: `shop-db-rw.${tenant.clusterName}.svc`,
        port: '5432',
      });
      expect(db.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(db.uri).toBe(`postgresql://app:${db.password}@shop-db-rw.${tenant.clusterName}.svc:5432/app`);
      const esSecret = await waitFor(() => find(client, SecretResource, 'shop-search-es-elastic-user'), {
        what: 'Secret shop-search-es-elastic-user in the tenant',
        timeoutMs: SLOW_MS,
      });
      const es = decoded(esSecret.data);
      expect(Object.keys(es).toSorted()).toEqual(['elastic', 'username']);
      expect(es.username).toBe('elastic');
      expect(es.elastic).toMatch(/^[A-Za-z0-9_-]{24}$/);

      // Deleting an instance takes its credentials copy with it (cleanup), the other's stays.
      await client.delete(PostgresClusterResource, 'shop-db', { namespace: 'default' });
      await waitFor(async () => (await find(client, SecretResource, 'shop-db-app')) === undefined, {
        what: 'Secret shop-db-app deleted from the tenant with its Cluster',
        timeoutMs: SLOW_MS,
      });
      expect(await find(client, SecretResource, 'shop-search-es-elastic-user')).toBeDefined();
    },
    TEST_MS,
  );

  it(
    'makes a Deployment on the compute cluster available and rolls out a change, without a kubelet',
    async () => {
      const compute = cluster.client;
      const namespace = (await compute.create(NamespaceResource, { metadata: { generateName: 'compute-' } }))
        .metadata?.name as string;
      const deployment = (image: string) => ({
        metadata: { name: 'shop', namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { 'app.kubernetes.io/name': 'webshop' } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'webshop' } },
            spec: { containers: [{ name: 'shop', image }] },
          },
        },
      });
      await compute.apply(DeploymentResource, deployment('shop:1'), { fieldManager: 'e2e' });
      const available = async (generation?: number) => {
        const d = await compute.get(DeploymentResource, 'shop', { namespace });
        return (
          d.status?.availableReplicas === 2 &&
          d.status.updatedReplicas === 2 &&
          d.status.replicas === 2 &&
          (generation === undefined || d.status.observedGeneration === generation)
        );
      };
      await waitFor(() => available(), { what: 'Deployment shop: 2 available replicas', timeoutMs: SLOW_MS });
      const changed = await compute.apply(DeploymentResource, deployment('shop:2'), { fieldManager: 'e2e' });
      await waitFor(() => available(changed.metadata?.generation), {
        what: 'Deployment shop rolled out to shop:2 with 2 available replicas',
        timeoutMs: SLOW_MS,
      });
      // Pods that are not the shops' are left to the (absent) kubelet: they stay Pending.
      await compute.apply(
        DeploymentResource,
        {
          metadata: { name: 'other', namespace },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'other' } },
            template: {
              metadata: { labels: { app: 'other' } },
              spec: { containers: [{ name: 'c', image: 'x' }] },
            },
          },
        },
        { fieldManager: 'e2e' },
      );
      const other = await waitFor(
        async () => (await compute.list(PodResource, { namespace, labelSelector: 'app=other' })).items[0],
        { what: 'the Pod of Deployment other', timeoutMs: SLOW_MS },
      );
      await waitFor(() => available(changed.metadata?.generation), {
        what: 'Deployment shop still available',
        timeoutMs: SLOW_MS,
      });
      expect((await compute.get(PodResource, other.metadata?.name ?? '', { namespace })).status?.phase).toBe(
        'Pending',
      );
      const rolledOut = await compute.get(DeploymentResource, 'shop', { namespace });
      expect(rolledOut.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
        status: 'True',
        reason: 'MinimumReplicasAvailable',
      });
    },
    TEST_MS,
  );
});
