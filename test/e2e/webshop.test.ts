/**
 * The webshop operator end to end: real kcp, the database and observability teams on a service cluster
 * of their own (a KubeTestEnvironment: their syncagents publish PublishedResources there), and the run's
 * kube-apiserver as the webshop team's compute cluster. Tenants bind the exports, create Webshops, and the
 * operator turns each into a Postgres database and a search instance in the tenant's workspace and a
 * workload on the compute cluster.
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  type Deployment,
  DeploymentResource,
  EventResource,
  type KubeObject,
  type Logger,
  NamespaceResource,
  type ResourceDescriptor,
  type Secret,
  SecretResource,
  ServiceResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  ElasticsearchResource,
  PostgresClusterResource,
  PostgresDatabaseResource,
  type Webshop,
  WebshopResource,
} from '@kubeloom/example-webshop-operator/api';
import {
  CLEANUP_FINALIZER,
  computeNames,
  createWebshopOperator,
  installWebshopApi,
  type WebshopOperator,
} from '@kubeloom/example-webshop-operator/operator';
import { type ExportRef, type Platform, startPlatform } from '@kubeloom/example-webshop-operator/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { sharedKube } from './kube.ts';

/** kcp, two syncagents and the operator share a loaded 2-core machine with other tests: waits are generous. */
const SLOW_MS = 180_000;
const TEST_MS = 600_000;
/** Deletion waits for the teams' syncagents three times in a row (Elasticsearch, Database, Cluster). */
const TEARDOWN_MS = 420_000;
const NOT_BOUND_RETRY_MS = 5_000;
/** The syncagents' label on a service-side copy: the logical cluster of the original. */
const COPY_CLUSTER_LABEL = 'syncagent.kcp.io/remote-object-cluster';

const byName = (a: string, b: string): number => a.localeCompare(b);

const quantile = (values: number[], q: number): number => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};

async function getIfExists<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace?: string,
): Promise<T | undefined> {
  try {
    return await client.get(resource, name, namespace ? { namespace } : {});
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const line = (obj: unknown, msg?: string): string =>
  typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`;

/** Keeps every line the operator logs (to check no secret value is among them) and its errors apart. */
function collectingLogger(lines: string[], errors: string[]): Logger {
  const logger: Logger = {
    debug: (obj, msg) => lines.push(line(obj, msg)),
    info: (obj, msg) => lines.push(line(obj, msg)),
    warn: (obj, msg) => lines.push(line(obj, msg)),
    error: (obj, msg) => {
      lines.push(line(obj, msg));
      errors.push(line(obj, msg));
    },
    child: () => logger,
  };
  return logger;
}

const conditionOf = (webshop: Webshop | undefined, type: string) =>
  webshop?.status?.conditions?.find((c) => c.type === type);

const describeWebshop = (webshop: Webshop | undefined): string =>
  JSON.stringify({ generation: webshop?.metadata?.generation, status: webshop?.status ?? null });

describe('webshop operator: tenants get a database, search and a workload from one Webshop', () => {
  let kcp: KcpTestEnvironment;
  let compute: KubeTestEnvironment;
  let teamClusters: KubeTestEnvironment;
  let platform: Platform;
  let webshopExport: ExportRef;
  let operator: { run: Promise<void>; stop: AbortController; instance: WebshopOperator } | undefined;
  const operatorErrors: string[] = [];
  const operatorLog: string[] = [];
  const readyAfterMs: number[] = [];
  /** Tenants a and b bind all three exports; tenant c everything but Postgres. */
  let tenants: Record<'a' | 'b' | 'c', KcpWorkspace>;
  const uidsOfB = new Map<string, string | undefined>();

  async function startOperator(): Promise<void> {
    const instance = await createWebshopOperator({
      kcp: kcp.clientFor(platform.webshopTeam.path),
      compute: compute.client,
      logger: collectingLogger(operatorLog, operatorErrors),
      exports: platform.exports,
      notBoundRetryMs: NOT_BOUND_RETRY_MS,
      pollMs: 5_000,
    });
    const stop = new AbortController();
    operator = { instance, stop, run: instance.start(stop.signal) };
  }

  async function stopOperator(): Promise<void> {
    operator?.stop.abort();
    await operator?.run;
    operator = undefined;
  }

  async function createWebshop(tenant: KcpWorkspace, name: string, spec: Webshop['spec']): Promise<Webshop> {
    return kcp.clientFor(tenant.path).create(WebshopResource, {
      apiVersion: 'webshop.kubeloom.dev/v1alpha1',
      kind: 'Webshop',
      metadata: { name, namespace: 'default' },
      spec,
    });
  }

  /** Waits until the Webshop passes `test` for its current generation. */
  async function waitForWebshop(
    tenant: KcpWorkspace,
    name: string,
    what: string,
    test: (webshop: Webshop) => boolean,
  ): Promise<Webshop> {
    let last: Webshop | undefined;
    return waitFor(
      async () => {
        last = await kcp.clientFor(tenant.path).get(WebshopResource, name, { namespace: 'default' });
        return last.status?.observedGeneration === last.metadata?.generation && test(last) ? last : undefined;
      },
      {
        what: `Webshop ${tenant.path}/default/${name} ${what}`,
        timeoutMs: SLOW_MS,
        describe: () => describeWebshop(last),
      },
    );
  }

  const waitForReady = (tenant: KcpWorkspace, name: string): Promise<Webshop> =>
    waitForWebshop(tenant, name, 'to be Ready', (w) => conditionOf(w, 'Ready')?.status === 'True');

  beforeAll(async () => {
    kcp = await sharedKcp();
    compute = await sharedKube();
    // The teams' syncagents create PublishedResources: never on the shared kube-apiserver.
    teamClusters = await KubeTestEnvironment.start();
    platform = await startPlatform({
      kcp,
      teamClusters,
      compute,
      prefix: `e2e-webshop-${randomBytes(3).toString('hex')}-`,
      // A busy kcp has kept new workspaces Initializing for minutes.
      timeoutMs: 300_000,
    });
    webshopExport = await installWebshopApi(kcp.clientFor(platform.webshopTeam.path), platform.exports);
    await startOperator();
    const { postgres, elastic } = platform.exports;
    const [a, b, c] = await Promise.all([
      platform.createTenant('a', [postgres, elastic, webshopExport]),
      platform.createTenant('b', [postgres, elastic, webshopExport]),
      platform.createTenant('c', [elastic, webshopExport]),
    ]);
    tenants = { a, b, c };
  }, 900_000);

  afterAll(async () => {
    const distinct = [...new Set(operatorErrors.map((e) => e.slice(0, 300)))];
    if (distinct.length > 0)
      console.log(
        `[webshop] ${operatorErrors.length} operator error lines, distinct:\n${distinct.slice(0, 10).join('\n')}`,
      );
    await stopOperator();
    await platform?.stop();
    await teamClusters?.stop();
  });

  it(
    'two tenants each get a Ready Webshop with their own database, search instance and workload',
    async () => {
      const all = [platform.exports.postgres, platform.exports.elastic, webshopExport];
      [tenants.a, tenants.b] = await Promise.all([
        platform.createTenant('a', all),
        platform.createTenant('b', all),
      ]);
      await Promise.all(
        (['a', 'b'] as const).map(async (key) => {
          const created = Date.now();
          await createWebshop(tenants[key], 'shop', { image: `shop-${key}:1.0`, search: { enabled: true } });
          await waitForReady(tenants[key], 'shop');
          readyAfterMs.push(Date.now() - created);
        }),
      );
      console.log(
        `[webshop] Webshop created → Ready: ${readyAfterMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; p50 ${(quantile(readyAfterMs, 0.5) / 1000).toFixed(1)} s`,
      );

      const passwords = new Set<string>();
      for (const key of ['a', 'b'] as const) {
        const tenant = tenants[key];
        const client = kcp.clientFor(tenant.path);
        const webshop = await client.get(WebshopResource, 'shop', { namespace: 'default' });
        expect(webshop.metadata?.finalizers).toEqual([CLEANUP_FINALIZER]);
        for (const type of ['DatabaseReady', 'SearchReady', 'Deployed', 'Ready']) {
          expect(conditionOf(webshop, type)).toMatchObject({
            status: 'True',
            observedGeneration: webshop.metadata?.generation,
          });
        }
        expect(conditionOf(webshop, 'Deployed')?.message).toBe(
          `1 of 1 replicas available (Deployment shop-${tenant.clusterName}-default/shop on the compute cluster)`,
        );
        // The tenant's own objects, in its own workspace.
        const cluster = await client.get(PostgresClusterResource, 'shop-db', { namespace: 'default' });
        const database = await client.get(PostgresDatabaseResource, 'shop', { namespace: 'default' });
        const search = await client.get(ElasticsearchResource, 'shop-search', { namespace: 'default' });
        expect(database.spec).toMatchObject({ cluster: { name: 'shop-db' }, name: 'shop', owner: 'app' });
        expect(search.status?.url).toBeTruthy();
        if (key === 'b')
          for (const o of [cluster, database, search]) uidsOfB.set(o.kind ?? '', o.metadata?.uid);

        // The workload on the compute cluster refers to its credentials Secret, built from this tenant's Secrets.
        const names = computeNames(tenant.clusterName, 'default', 'shop');
        expect(webshop.status?.computeNamespace).toBe(names.namespace);
        const deployment = await compute.client.get(DeploymentResource, 'shop', {
          namespace: names.namespace,
        });
        if (key === 'b') uidsOfB.set('Deployment', deployment.metadata?.uid);
        const container = deployment.spec?.template.spec?.containers[0];
        expect(container?.image).toBe(`shop-${key}:1.0`);
        const refs = new Set(container?.env?.map((e) => e.valueFrom?.secretKeyRef?.name));
        expect([...refs]).toEqual(['shop-credentials']);
        expect(container?.env?.map((e) => e.name)).toEqual(
          expect.arrayContaining([
            'DATABASE_PASSWORD',
            'DATABASE_URL',
            'ELASTICSEARCH_URL',
            'ELASTICSEARCH_PASSWORD',
          ]),
        );
        const credentials = await compute.client.get(SecretResource, 'shop-credentials', {
          namespace: names.namespace,
        });
        const dbSecret = await client.get(SecretResource, 'shop-db-app', { namespace: 'default' });
        const esSecret = await client.get(SecretResource, 'shop-search-es-elastic-user', {
          namespace: 'default',
        });
        expect(credentials.data?.DATABASE_PASSWORD).toBe(dbSecret.data?.password);
        expect(credentials.data?.DATABASE_URL).toBe(dbSecret.data?.uri);
        expect(credentials.data?.ELASTICSEARCH_PASSWORD).toBe(esSecret.data?.elastic);
        expect(Buffer.from(credentials.data?.ELASTICSEARCH_URL ?? '', 'base64').toString()).toBe(
          search.status?.url,
        );
        passwords.add(credentials.data?.DATABASE_PASSWORD ?? '');
        passwords.add(Buffer.from(credentials.data?.DATABASE_PASSWORD ?? '', 'base64').toString());
        await compute.client.get(ServiceResource, 'shop', { namespace: names.namespace });

        // Events on the Webshop tell the tenant what happened.
        await waitFor(
          async () =>
            (await client.list(EventResource, { namespace: 'default' })).items.some(
              (e) => e.involvedObject?.name === 'shop' && e.reason === 'Ready',
            ),
          { what: `a Ready event on Webshop ${tenant.path}/default/shop`, timeoutMs: SLOW_MS },
        );
      }
      expect(passwords.size).toBe(4);
      // The operator logged what it did, and never a password (plain or base64).
      expect(operatorLog.length).toBeGreaterThan(0);
      for (const password of passwords) expect(operatorLog.filter((l) => l.includes(password))).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'a tenant edits replicas and image and the change rolls out',
    async () => {
      const client = kcp.clientFor(tenants.a.path);
      const webshop = await client.get(WebshopResource, 'shop', { namespace: 'default' });
      const edited = await client.update(WebshopResource, {
        ...webshop,
        spec: { ...webshop.spec, replicas: 3, image: 'shop-a:1.1' },
      });
      const rolledOut = await waitForWebshop(
        tenants.a,
        'shop',
        'to report 3 available replicas',
        (w) => conditionOf(w, 'Deployed')?.status === 'True' && w.status?.availableReplicas === 3,
      );
      expect(rolledOut.status?.observedGeneration).toBe(edited.metadata?.generation);
      const names = computeNames(tenants.a.clusterName, 'default', 'shop');
      const deployment = await compute.client.get(DeploymentResource, 'shop', { namespace: names.namespace });
      expect(deployment.spec?.replicas).toBe(3);
      expect(deployment.spec?.template.spec?.containers[0]?.image).toBe('shop-a:1.1');
      expect(deployment.status?.updatedReplicas).toBe(3);
      expect(deployment.status?.availableReplicas).toBe(3);
    },
    TEST_MS,
  );

  it(
    'an operator restarted mid-way converges without duplicates',
    async () => {
      const client = kcp.clientFor(tenants.b.path);
      await createWebshop(tenants.b, 'second', { image: 'second:1.0' });
      // Mid-way: the operator has made the tenant's Cluster but the shop is not Ready yet.
      await waitFor(() => getIfExists(client, PostgresClusterResource, 'second-db', 'default'), {
        what: 'the operator to create Cluster second-db',
        timeoutMs: SLOW_MS,
      });
      await stopOperator();
      await startOperator();
      await waitForReady(tenants.b, 'second');
      const byWebshop = { labelSelector: 'webshop.kubeloom.dev/webshop=second', namespace: 'default' };
      expect(
        (await client.list(PostgresClusterResource, byWebshop)).items.map((o) => o.metadata?.name),
      ).toEqual(['second-db']);
      expect(
        (await client.list(PostgresDatabaseResource, byWebshop)).items.map((o) => o.metadata?.name),
      ).toEqual(['second']);
      expect((await client.list(ElasticsearchResource, byWebshop)).items).toEqual([]);
      const names = computeNames(tenants.b.clusterName, 'default', 'second');
      const deployments = (await compute.client.list(DeploymentResource, { namespace: names.namespace }))
        .items;
      expect(deployments.map((d: Deployment) => d.metadata?.name ?? '').toSorted(byName)).toEqual([
        'second',
        'shop',
      ]);
      const webshop = await client.get(WebshopResource, 'second', { namespace: 'default' });
      expect(webshop.metadata?.finalizers).toEqual([CLEANUP_FINALIZER]);
      // One copy per object on the teams' service cluster.
      const copies = (
        await teamClusters.client.list(PostgresClusterResource, {
          labelSelector: `${COPY_CLUSTER_LABEL}=${tenants.b.clusterName}`,
        })
      ).items.map((o) => o.metadata?.name ?? '');
      expect(copies.toSorted(byName)).toEqual(['second-db', 'shop-db']);
    },
    TEST_MS,
  );

  it(
    'a tenant without the Postgres binding is told which export to bind, and gets its shop once it binds',
    async () => {
      const tenant = tenants.c;
      await createWebshop(tenant, 'shop', { image: 'shop-c:1.0' });
      const waiting = await waitForWebshop(
        tenant,
        'shop',
        'to report that Postgres is not bound',
        (w) => conditionOf(w, 'DatabaseReady')?.reason === 'PostgresAPINotBound',
      );
      const { postgres } = platform.exports;
      expect(conditionOf(waiting, 'DatabaseReady')).toMatchObject({
        status: 'False',
        message: `this workspace does not serve postgresql.cnpg.io clusters and databases: bind the APIExport ${postgres.path}:${postgres.name} (accepting its permission claims) to get a database; checked again every 5 s`,
      });
      expect(conditionOf(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'PostgresAPINotBound' });
      expect(conditionOf(waiting, 'Deployed')).toMatchObject({
        status: 'False',
        reason: 'WaitingForDependencies',
        message: 'the shop is deployed once DatabaseReady is True',
      });
      await platform.bind(tenant, postgres);
      await waitForReady(tenant, 'shop');
    },
    TEST_MS,
  );

  it(
    "deleting a Webshop removes everything of that tenant's shop and nothing of the other tenant",
    async () => {
      const a = kcp.clientFor(tenants.a.path);
      const b = kcp.clientFor(tenants.b.path);
      const namesA = computeNames(tenants.a.clusterName, 'default', 'shop');
      await a.delete(WebshopResource, 'shop', { namespace: 'default' });
      await waitFor(async () => !(await getIfExists(a, WebshopResource, 'shop', 'default')), {
        what: `Webshop ${tenants.a.path}/default/shop to be deleted through its finalizer`,
        timeoutMs: TEARDOWN_MS,
      });
      // Gone: the tenant's Cluster, Database and Elasticsearch, their service-side copies, the compute objects.
      expect(await getIfExists(a, ElasticsearchResource, 'shop-search', 'default')).toBeUndefined();
      expect(await getIfExists(a, PostgresDatabaseResource, 'shop', 'default')).toBeUndefined();
      expect(await getIfExists(a, PostgresClusterResource, 'shop-db', 'default')).toBeUndefined();
      const copiesOfA = { labelSelector: `${COPY_CLUSTER_LABEL}=${tenants.a.clusterName}` };
      const copied: ResourceDescriptor[] = [
        PostgresClusterResource,
        PostgresDatabaseResource,
        ElasticsearchResource,
      ];
      for (const resource of copied) {
        await waitFor(async () => (await teamClusters.client.list(resource, copiesOfA)).items.length === 0, {
          what: `the service-side ${resource.kind} copies of tenant a to be deleted`,
          timeoutMs: SLOW_MS,
        });
      }
      expect(await getIfExists(compute.client, DeploymentResource, 'shop', namesA.namespace)).toBeUndefined();
      expect(await getIfExists(compute.client, ServiceResource, 'shop', namesA.namespace)).toBeUndefined();
      expect(
        await getIfExists<Secret>(compute.client, SecretResource, 'shop-credentials', namesA.namespace),
      ).toBeUndefined();
      // Its namespace held no other shop: it goes too.
      const namespaceA = await getIfExists(compute.client, NamespaceResource, namesA.namespace);
      expect(namespaceA === undefined || namespaceA.metadata?.deletionTimestamp !== undefined).toBe(true);

      // Untouched: tenant b's shop of the same name, its objects (same uids) and its workload.
      await waitForReady(tenants.b, 'shop');
      const namesB = computeNames(tenants.b.clusterName, 'default', 'shop');
      expect((await b.get(PostgresClusterResource, 'shop-db', { namespace: 'default' })).metadata?.uid).toBe(
        uidsOfB.get('Cluster'),
      );
      expect((await b.get(PostgresDatabaseResource, 'shop', { namespace: 'default' })).metadata?.uid).toBe(
        uidsOfB.get('Database'),
      );
      expect(
        (await b.get(ElasticsearchResource, 'shop-search', { namespace: 'default' })).metadata?.uid,
      ).toBe(uidsOfB.get('Elasticsearch'));
      const deploymentB = await compute.client.get(DeploymentResource, 'shop', {
        namespace: namesB.namespace,
      });
      expect(deploymentB.metadata?.uid).toBe(uidsOfB.get('Deployment'));
    },
    TEST_MS,
  );
});
