/**
 * The syncagent as three replicas sharing the bound workspaces (`sharding`): real kcp, and a real
 * kube-apiserver of this file's own as the service cluster (it creates a PublishedResource, which the
 * shared service cluster's agent would pick up too). Every replica records each sync it runs; the test
 * asserts from those records that every workspace is synced by exactly one replica, that no two replicas
 * ever sync one workspace at the same time, and that a stopped replica's workspaces carry on elsewhere.
 */
import { join } from 'node:path';
import {
  Client,
  type KubeObject,
  LeaseResource,
  applyManifests,
  loadKubeConfig,
  loadManifests,
  parseManifests,
  SHARDING_GROUP_LABEL,
  SHARDING_ROLE_LABEL,
  assignBuckets,
  bucketOf,
  defineResource,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment, installCrds } from '@kubeloom/core/testing';
import { APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { PublishedResourceResource } from '@kubeloom/example-syncagent/published-resource';
import { type SyncAgent, createSyncAgent } from '@kubeloom/example-syncagent/sync-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { bindConsumerWorkspace, createWorkspaceRetrying } from './syncagent-consumer.ts';
import { quietLogger } from './syncagent-logger.ts';
import { type ReconcileRecord, mapBounded, overlaps } from './scale-out-checks.ts';
import { widgetCrd } from './syncagent-crds.ts';

const EXPORT = 'widgets.e2e.kubeloom.dev';
const AGENT = 'syncagent-scale-out';
const REPLICAS = ['r0', 'r1', 'r2'] as const;
const WORKSPACES = 6;
/** Few buckets and short Leases: fewer Lease writes on the loaded machine, and handovers within seconds. */
const BUCKETS = 16;
const LEASE_DURATION_MS = 5_000;
const RENEW_DEADLINE_MS = 3_500;
const RETRY_PERIOD_MS = 1_000;
const SLOW_MS = 180_000;
const TEST_MS = 300_000;

/** The Widgets of {@link widgetCrd}, in kcp (bound from the export) and on the service cluster. */
const WidgetResource = defineResource<KubeObject & { spec?: { size?: number } }>({
  group: 'e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

const deploy = join(import.meta.dirname, '../../examples/syncagent/deploy');

/** deploy/rbac.yaml's api-syncagent-published, for this test's Widgets instead of CloudNativePG's resources. */
const widgetsRbac = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: api-syncagent-widgets }
rules:
  - apiGroups: [e2e.kubeloom.dev]
    resources: [widgets]
    verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: api-syncagent-widgets }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: api-syncagent-widgets }
subjects: [{ kind: ServiceAccount, name: api-syncagent, namespace: syncagent }]
`;

/** A client of `kube` authenticated as a ServiceAccount, with a token from the TokenRequest API. */
async function serviceAccountClient(
  kube: KubeTestEnvironment,
  namespace: string,
  name: string,
): Promise<Client> {
  const request = await waitFor(
    () =>
      kube.client.rest.request<{ status?: { token?: string } }>({
        method: 'POST',
        path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        },
      }),
    { what: `a token for ServiceAccount ${namespace}/${name}`, timeoutMs: 60_000 },
  );
  const cluster = loadKubeConfig({ path: kube.kubeconfigPath }).kubeConfig.getCurrentCluster();
  return Client.fromKubeConfig({
    text: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'service',
          cluster: { server: kube.serverUrl, 'certificate-authority-data': cluster?.caData },
        },
      ],
      users: [{ name, user: { token: request.status?.token ?? '' } }],
      contexts: [{ name, context: { cluster: 'service', user: name } }],
      'current-context': name,
    }),
  });
}

describe('syncagent scale-out: three replicas share the workspaces, each synced by exactly one', () => {
  let kcp: KcpTestEnvironment;
  let kube: KubeTestEnvironment;
  let service: Client;
  /** The service cluster as the example's ServiceAccount (deploy/rbac.yaml) sees it. */
  let agentService: Client;
  const namespace = 'syncagent';
  let provider: KcpWorkspace;
  let consumers: KcpWorkspace[] = [];
  const agents = new Map<string, { agent: SyncAgent; stop: AbortController; run: Promise<void> }>();
  /** The per-sync log: every sync every replica ran. */
  const syncs: ReconcileRecord[] = [];
  const errors: string[] = [];

  async function startReplica(replica: string): Promise<void> {
    const agent = await createSyncAgent({
      service: agentService,
      kcp: kcp.clientFor(provider.path),
      apiExportRef: EXPORT,
      namespace,
      agentName: AGENT,
      enableLeaderElection: true,
      logger: quietLogger(errors),
      staleWorkspaceGraceMs: 0,
      sharding: {
        identity: replica,
        buckets: BUCKETS,
        leaseDurationMs: LEASE_DURATION_MS,
        renewDeadlineMs: RENEW_DEADLINE_MS,
        retryPeriodMs: RETRY_PERIOD_MS,
      },
      onSynced: (r) =>
        syncs.push({ replica, workspace: r.cluster, name: r.name, start: r.startedAt, end: r.endedAt }),
    });
    const stop = new AbortController();
    agents.set(replica, { agent, stop, run: agent.start(stop.signal) });
  }

  /** Who owns each workspace once `members` have settled, as every replica computes it. */
  function expectedOwners(members: readonly string[]): Map<string, string> {
    const load = Array.from({ length: BUCKETS }, () => 0);
    for (const c of consumers) {
      const bucket = bucketOf(c.clusterName, BUCKETS);
      load[bucket] = (load[bucket] ?? 0) + 1;
    }
    const owners = assignBuckets({ buckets: BUCKETS, members, load });
    return new Map(consumers.map((c) => [c.clusterName, owners[bucketOf(c.clusterName, BUCKETS)] as string]));
  }

  /** Waits until the bucket Lease of every workspace is held by the owner `members` imply. */
  async function settled(members: readonly string[]): Promise<Map<string, string>> {
    const owners = expectedOwners(members);
    await waitFor(
      async () => {
        const leases = await service.list(LeaseResource, {
          namespace,
          labelSelector: `${SHARDING_GROUP_LABEL}=${AGENT},${SHARDING_ROLE_LABEL}=bucket`,
        });
        const holders = new Map(
          leases.items.map((l) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '']),
        );
        return consumers.every(
          (c) =>
            holders.get(`${AGENT}-bucket-${String(bucketOf(c.clusterName, BUCKETS)).padStart(3, '0')}`) ===
            owners.get(c.clusterName),
        );
      },
      {
        what: `every workspace's bucket Lease held by its owner among ${members.join(', ')}`,
        timeoutMs: 90_000,
      },
    );
    return owners;
  }

  /** Sets every consumer's Widget `w` to `size` and waits until each copy on the service cluster has it. */
  async function resizeAll(size: number): Promise<number> {
    const since = Date.now();
    await mapBounded(consumers, 3, (c) =>
      kcp.clientFor(c.path).patch(WidgetResource, 'w', { spec: { size } }, { namespace: 'default' }),
    );
    await waitFor(
      async () => {
        const copies = (await service.list(WidgetResource)).items;
        return consumers.every(
          (c) => copies.find((w) => w.metadata?.namespace === c.clusterName)?.spec?.size === size,
        );
      },
      { what: `every Widget copy resized to ${size}`, timeoutMs: SLOW_MS },
    );
    return since;
  }

  /**
   * The replicas that synced each workspace's Widget at or after `since`, once every workspace has a
   * finished sync since then (a copy is written before its sync ends and is recorded).
   */
  async function syncersSince(since: number): Promise<Map<string, string[]>> {
    await waitFor(
      () => consumers.every((c) => syncs.some((s) => s.workspace === c.clusterName && s.start >= since)),
      { what: 'a recorded sync of every workspace', timeoutMs: 60_000 },
    );
    const byWorkspace = Map.groupBy(
      syncs.filter((s) => s.start >= since),
      (s) => s.workspace,
    );
    return new Map(
      consumers.map((c) => [
        c.clusterName,
        [...new Set(byWorkspace.get(c.clusterName)?.map((s) => s.replica))].toSorted(),
      ]),
    );
  }

  beforeAll(async () => {
    kcp = await sharedKcp();
    kube = await KubeTestEnvironment.start({
      name: 'syncagent-scale-out',
      controllerManager: false,
      startTimeoutMs: 120_000,
    });
    service = kube.client;
    // The example's own manifests: the PublishedResource CRD, RBAC and the Deployment (validated by the
    // server; without a scheduler its pods never run). The replicas below act as its ServiceAccount.
    await installCrds(service, [widgetCrd, join(deploy, 'publishedresource-crd.yaml')]);
    await applyManifests(
      service,
      await loadManifests([join(deploy, 'rbac.yaml'), join(deploy, 'deployment.yaml')]),
      {
        fieldManager: 'e2e',
      },
    );
    await applyManifests(service, await parseManifests(widgetsRbac), { fieldManager: 'e2e' });
    agentService = await serviceAccountClient(kube, namespace, 'api-syncagent');
    provider = await createWorkspaceRetrying(kcp, 'syncagent-scale-provider-', SLOW_MS);
    await kcp.createApiExport({ workspace: provider.path, name: EXPORT, schemas: [], timeoutMs: SLOW_MS });
    await service.create(PublishedResourceResource, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'publish-widgets' },
      spec: { resource: { apiGroup: 'e2e.kubeloom.dev', kind: 'Widget', versions: ['v1'] } },
    });
    for (const replica of REPLICAS) await startReplica(replica);
    const exporter = kcp.clientFor(provider.path);
    await waitFor(
      async () => ((await exporter.get(APIExportResource, EXPORT)).spec?.resources ?? []).length === 1,
      {
        what: 'the Widget schema in the APIExport',
        timeoutMs: SLOW_MS,
      },
    );
    consumers = await mapBounded(Array.from({ length: WORKSPACES }), 3, () =>
      bindConsumerWorkspace(kcp, {
        generateName: 'syncagent-scale-',
        exportPath: provider.path,
        exportName: EXPORT,
        served: WidgetResource,
        timeoutMs: SLOW_MS,
      }),
    );
  }, 600_000);

  afterAll(async () => {
    const distinct = [...new Set(errors.map((e) => e.slice(0, 300)))];
    if (distinct.length > 0)
      console.log(
        `[syncagent-scale-out] ${errors.length} agent error lines, distinct:\n${distinct.slice(0, 10).join('\n')}`,
      );
    for (const { stop } of agents.values()) stop.abort();
    await Promise.all([...agents.values()].map(({ run }) => run.catch(() => {})));
    await kube?.stop();
  });

  it(
    "makes every workspace's copy on exactly one replica: no duplicate copies, no two replicas syncing one workspace",
    async () => {
      const owners = await settled(REPLICAS);
      const since = Date.now();
      await mapBounded(consumers, 3, (c) =>
        kcp.clientFor(c.path).create(WidgetResource, {
          apiVersion: 'e2e.kubeloom.dev/v1',
          kind: 'Widget',
          metadata: { name: 'w', namespace: 'default' },
          spec: { size: 1 },
        }),
      );
      await waitFor(
        async () => {
          const copies = (await service.list(WidgetResource)).items;
          return consumers.every((c) => copies.some((w) => w.metadata?.namespace === c.clusterName));
        },
        { what: 'a Widget copy for every consumer workspace', timeoutMs: SLOW_MS },
      );
      const copies = (await service.list(WidgetResource)).items;
      for (const c of consumers) {
        expect(copies.filter((w) => w.metadata?.namespace === c.clusterName)).toHaveLength(1);
      }
      expect(copies).toHaveLength(WORKSPACES);
      const syncers = await syncersSince(since);
      for (const c of consumers) expect(syncers.get(c.clusterName)).toEqual([owners.get(c.clusterName)]);
      // The work is spread: more than one replica owns workspaces.
      expect(new Set(owners.values()).size).toBeGreaterThan(1);
      expect(overlaps(syncs)).toEqual([]);
      expect(agents.get('r0')?.agent.sharded?.ownedClusterNames()).toEqual(
        consumers
          .filter((c) => owners.get(c.clusterName) === 'r0')
          .map((c) => c.clusterName)
          .toSorted(),
      );
    },
    TEST_MS,
  );

  it(
    "carries a stopped replica's workspaces on the other replicas, never two at once",
    async () => {
      const before = expectedOwners(REPLICAS);
      // Stop a replica that owns at least one workspace.
      const gone = REPLICAS.find((r) => [...before.values()].includes(r)) as string;
      const remaining = REPLICAS.filter((r) => r !== gone);
      const entry = agents.get(gone);
      entry?.stop.abort();
      await entry?.run;
      const owners = await settled(remaining);
      const since = await resizeAll(2);
      const syncers = await syncersSince(since);
      for (const c of consumers) expect(syncers.get(c.clusterName)).toEqual([owners.get(c.clusterName)]);
      for (const c of consumers.filter((w) => before.get(w.clusterName) === gone))
        expect(remaining).toContain(owners.get(c.clusterName));
      expect(syncs.filter((s) => s.replica === gone && s.start >= since)).toEqual([]);
      expect(overlaps(syncs)).toEqual([]);
      const copies = (await service.list(WidgetResource)).items;
      expect(copies).toHaveLength(WORKSPACES);
    },
    TEST_MS,
  );
});
