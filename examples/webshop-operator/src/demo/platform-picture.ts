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
import type { ExportRef } from '../platform/platform.ts';

/** The syncagent's label on a service-side copy: the logical cluster of the kcp original. */
const COPY_CLUSTER_LABEL = 'syncagent.kcp.io/remote-object-cluster';

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
  /** The team cluster (database and observability teams). */
  teamCluster: Client;
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
    // The syncagents' copies on the team cluster, by the namespaces they put them in.
    const copies = [
      ...(
        await objects(input.teamCluster, PostgresClusterResource, {
          labelSelector: `${COPY_CLUSTER_LABEL}=${tenant.clusterName}`,
        })
      ).map((o) => ['Cluster', o] as const),
      ...(
        await objects(input.teamCluster, PostgresDatabaseResource, {
          labelSelector: `${COPY_CLUSTER_LABEL}=${tenant.clusterName}`,
        })
      ).map((o) => ['Database', o] as const),
      ...(
        await objects(input.teamCluster, ElasticsearchResource, {
          labelSelector: `${COPY_CLUSTER_LABEL}=${tenant.clusterName}`,
        })
      ).map((o) => ['Elasticsearch', o] as const),
    ];
    const namespaces = [...new Set(copies.map(([, o]) => o.metadata?.namespace ?? ''))].toSorted();
    for (const namespace of namespaces) {
      const here = copies
        .filter(([, o]) => o.metadata?.namespace === namespace)
        .map(([kind, o]) => `${kind} ${o.metadata?.name ?? ''}`);
      const secrets = named('Secret', await objects(input.teamCluster, SecretResource, { namespace }));
      rows.push(['team cluster', `namespace ${namespace}`, [...here, ...secrets].join(', ')]);
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
  return lines;
}
