/**
 * The demo's closing picture, read live from kcp and the clusters: who provides which API, who consumes
 * it, and where every object of each tenant's Webshop lives.
 */
import {
  type Client,
  DeploymentResource,
  type KubeObject,
  type ResourceDescriptor,
  SecretResource,
  ServiceResource,
} from '@kubeloom/core';
import { APIBindingResource, APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  ElasticsearchResource,
  PostgresClusterResource,
  PostgresDatabaseResource,
  WebshopResource,
} from '../api/index.ts';
import { APIServiceBindingResource } from '@kubeloom/kube-bind';
import type { ExportRef } from '../platform/platform.ts';

/** The syncagent's label on a service-side copy: the logical cluster of the kcp original. */
export const COPY_CLUSTER_LABEL = 'syncagent.kcp.io/remote-object-cluster';

/** A provider in the picture. */
export interface PictureProvider {
  team: string;
  exportRef: ExportRef;
  /** Who serves the export, in a few words. */
  servedBy: string;
}

/** What {@link platformPicture} reads. */
export interface PictureInput {
  kcp: KcpTestEnvironment;
  providers: readonly PictureProvider[];
  tenants: readonly KcpWorkspace[];
  /** The Webshop each tenant ordered (namespace `default`). */
  webshop: string;
  /** The team cluster (the database team's, and the observability team's unless it has its own). */
  teamCluster: Client;
  /** The observability team's own cluster, when it has one. */
  observabilityCluster?: Client;
  /** The kube-bind side, when the observability team has its own cluster. */
  kubeBind?: KubeBindPicture;
  compute: Client;
}

/** `Kind name` of every object of `resource` (in `namespace`, or cluster-wide), sorted by name. */
async function objects(
  client: Client,
  resource: ResourceDescriptor,
  options: { namespace?: string; labelSelector?: string } = {},
): Promise<KubeObject[]> {
  const list = await client.list(resource, options);
  return list.items.toSorted((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

const named = (kind: string, items: readonly KubeObject[]): string[] =>
  items.map((o) => `${kind} ${o.metadata?.name ?? ''}`);

/** A kind the syncagents copy, and how to read it. */
type CopyKind = readonly [kind: string, resource: ResourceDescriptor];
const CLUSTER: CopyKind = ['Cluster', PostgresClusterResource];
const DATABASE: CopyKind = ['Database', PostgresDatabaseResource];
const ELASTICSEARCH: CopyKind = ['Elasticsearch', ElasticsearchResource];

/** `Cluster name (phase)`: a Postgres Cluster with the status its operator reported. */
const postgresWithPhase = (items: readonly KubeObject[]): string[] =>
  items.map(
    (o) =>
      `Cluster ${o.metadata?.name ?? ''} (${(o as { status?: { phase?: string } }).status?.phase ?? 'no status yet'})`,
  );

/**
 * Rows for the syncagents' copies of `kinds` on `client` whose kcp original lives in `clusterName`, one
 * per namespace, with the namespace's Secrets and any Postgres Cluster composed there (the observability
 * cluster's, bound through kube-bind).
 */
async function copyRows(
  place: string,
  client: Client,
  kinds: readonly CopyKind[],
  clusterName: string,
): Promise<string[][]> {
  const copies: Array<readonly [string, KubeObject]> = [];
  for (const [kind, resource] of kinds) {
    const found = await objects(client, resource, { labelSelector: `${COPY_CLUSTER_LABEL}=${clusterName}` });
    copies.push(...found.map((o) => [kind, o] as const));
  }
  const rows: string[][] = [];
  const namespaces = [...new Set(copies.map(([, o]) => o.metadata?.namespace ?? ''))].toSorted();
  for (const namespace of namespaces) {
    const here = copies
      .filter(([, o]) => o.metadata?.namespace === namespace)
      .map(([kind, o]) => `${kind} ${o.metadata?.name ?? ''}`);
    const composed = kinds.includes(CLUSTER)
      ? []
      : postgresWithPhase(await objects(client, PostgresClusterResource, { namespace }));
    const secrets = named('Secret', await objects(client, SecretResource, { namespace }));
    rows.push([place, `namespace ${namespace}`, [...here, ...composed, ...secrets].join(', ')]);
  }
  return rows;
}

/** One row of aligned columns. */
function table(rows: readonly string[][], indent = '  '): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

/** The kube-bind side in the picture. */
export interface KubeBindPicture {
  /** The backend's workspace. */
  backendWorkspace: KcpWorkspace;
  /** The APIServiceBinding on the observability cluster. */
  bindingName: string;
}

/**
 * The kube-bind section: the binding on the observability cluster, and where the composed Postgres
 * Clusters live in the backend's workspace and on the team cluster.
 */
async function kubeBindLines(input: PictureInput, kubeBind: KubeBindPicture): Promise<string[]> {
  const observability = input.observabilityCluster ?? input.teamCluster;
  const binding = await observability.get(APIServiceBindingResource, kubeBind.bindingName);
  const ready = binding.status?.conditions?.find((c) => c.type === 'Ready');
  const schemas = (binding.status?.boundSchemas ?? []).map((b) => `${b.resource}.${b.group}`).join(', ');
  const rows: string[][] = [
    [
      'observability cluster',
      `APIServiceBinding ${kubeBind.bindingName}`,
      `Ready=${ready?.status ?? 'Unknown'}, CRDs from the backend: ${schemas || 'none yet'}`,
    ],
  ];
  const inBackend = await objects(
    input.kcp.clientFor(kubeBind.backendWorkspace.path),
    PostgresClusterResource,
  );
  for (const namespace of [...new Set(inBackend.map((o) => o.metadata?.namespace ?? ''))].toSorted()) {
    rows.push([
      `kcp ${kubeBind.backendWorkspace.path}`,
      `namespace ${namespace}`,
      postgresWithPhase(inBackend.filter((o) => o.metadata?.namespace === namespace)).join(', '),
    ]);
  }
  rows.push(
    ...(await copyRows('team cluster', input.teamCluster, [CLUSTER], kubeBind.backendWorkspace.clusterName)),
  );
  return [
    '',
    `kube-bind: ${kubeBind.backendWorkspace.path} binds the Postgres export and its kube-bind backend offers it to the observability cluster; a composition controller there gives each Elasticsearch a Postgres Cluster`,
    ...table(rows),
  ];
}

/** The picture, as lines. */
export async function platformPicture(input: PictureInput): Promise<string[]> {
  const { kcp } = input;
  const lines: string[] = ['Providers (kcp workspace, APIExport, resources, served by)'];
  const providerRows: string[][] = [];
  for (const p of input.providers) {
    const apiExport = await kcp.clientFor(p.exportRef.path).get(APIExportResource, p.exportRef.name);
    const resources = (apiExport.spec?.resources ?? []).map((r) => r.name).join(', ');
    providerRows.push([p.team, p.exportRef.path, p.exportRef.name, resources, p.servedBy]);
  }
  lines.push(...table(providerRows), '', 'Consumers (tenant workspace, bound APIExports)');
  const consumerRows: string[][] = [];
  for (const tenant of input.tenants) {
    // Only the providers' exports: kcp binds its own system APIs into every workspace too.
    const bindings = await objects(kcp.clientFor(tenant.path), APIBindingResource);
    const bound = input.providers
      .filter((p) =>
        bindings.some((b) => {
          const ref = (b as { spec?: { reference?: { export?: { path?: string; name?: string } } } }).spec
            ?.reference?.export;
          return ref?.path === p.exportRef.path && ref.name === p.exportRef.name;
        }),
      )
      .map((p) => `${p.exportRef.name} (${p.team})`);
    consumerRows.push([tenant.path, bound.join(', ')]);
  }
  lines.push(...table(consumerRows));
  for (const tenant of input.tenants) {
    const inTenant = kcp.clientFor(tenant.path);
    const webshop = await inTenant.get(WebshopResource, input.webshop, { namespace: 'default' });
    const ready = webshop.status?.conditions?.find((c) => c.type === 'Ready');
    lines.push(
      '',
      `Webshop ${input.webshop} of ${tenant.path}: Ready=${ready?.status ?? 'Unknown'}, ${webshop.status?.availableReplicas ?? 0}/${webshop.spec.replicas ?? 1} replicas available`,
    );
    const rows: string[][] = [];
    const tenantObjects = [
      ...named('Webshop', await objects(inTenant, WebshopResource, { namespace: 'default' })),
      ...named('Cluster', await objects(inTenant, PostgresClusterResource, { namespace: 'default' })),
      ...named('Database', await objects(inTenant, PostgresDatabaseResource, { namespace: 'default' })),
      ...named('Elasticsearch', await objects(inTenant, ElasticsearchResource, { namespace: 'default' })),
      ...named('Secret', await objects(inTenant, SecretResource, { namespace: 'default' })),
    ];
    rows.push([`kcp ${tenant.path}`, 'namespace default', tenantObjects.join(', ')]);
    // The syncagents' copies on the team cluster (and the observability cluster, when it has its own),
    // by the namespaces they put them in.
    const copyClusters: Array<[place: string, client: Client, kinds: readonly CopyKind[]]> =
      input.observabilityCluster
        ? [
            ['team cluster', input.teamCluster, [CLUSTER, DATABASE]],
            ['observability cluster', input.observabilityCluster, [ELASTICSEARCH]],
          ]
        : [['team cluster', input.teamCluster, [CLUSTER, DATABASE, ELASTICSEARCH]]];
    for (const [place, client, kinds] of copyClusters) {
      rows.push(...(await copyRows(place, client, kinds, tenant.clusterName)));
    }
    const computeNamespace = webshop.status?.computeNamespace;
    if (computeNamespace) {
      const deployments = await objects(input.compute, DeploymentResource, { namespace: computeNamespace });
      rows.push([
        'compute cluster',
        `namespace ${computeNamespace}`,
        [
          ...deployments.map(
            (d) =>
              `Deployment ${d.metadata?.name ?? ''} (${(d as { status?: { availableReplicas?: number } }).status?.availableReplicas ?? 0} available)`,
          ),
          ...named('Service', await objects(input.compute, ServiceResource, { namespace: computeNamespace })),
          ...named('Secret', await objects(input.compute, SecretResource, { namespace: computeNamespace })),
        ].join(', '),
      ]);
    }
    lines.push(...table(rows));
  }
  if (input.kubeBind) lines.push(...(await kubeBindLines(input, input.kubeBind)));
  return lines;
}
