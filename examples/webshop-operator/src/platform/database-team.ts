/**
 * The database team: publishes CloudNativePG's Postgres API into kcp the way the KubeCon London 2025
 * workshop ("03-dynamic-providers") does — its empty APIExport `postgresql.cnpg.io`, its two
 * PublishedResources (Cluster with the kcp-side superuser Secret, Database) and a syncagent — plus one
 * addition: the `<cluster>-app` Secret the operator generates is synced back into the tenant's workspace.
 */
import { type Client, type KubeObject, type Logger, applyManifests, loadManifests } from '@kubeloom/core';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { startPostgresStandIn } from './postgres-stand-in.ts';
import { syncagentTestdata } from './syncagent-testdata.ts';
import { AGENT_LABEL } from './team-agent.ts';
import { type ProviderTeam, runProviderTeam } from './team.ts';

/** The workshop's export name. */
export const POSTGRES_EXPORT = 'postgresql.cnpg.io';

/** Options for {@link startDatabaseTeam}. */
export interface DatabaseTeamOptions {
  kcp: KcpTestEnvironment;
  /** The team's service cluster (CloudNativePG and PublishedResource CRDs installed). */
  service: Client;
  /** Prefix for the workspace, the agent and the PublishedResources. */
  prefix: string;
  timeoutMs: number;
  logger?: Logger;
}

/**
 * The related entry that brings the operator's `<cluster>-app` Secret into the tenant's namespace: origin
 * service, same name on both sides, deleted with the Cluster (`cleanup`), and a change to it (a rotated
 * password) wakes the Cluster's sync at once (`watch.byOwner`: the operator owns the Secret).
 */
const appCredentials = {
  kind: 'Secret',
  origin: 'service',
  identifier: 'app-credentials',
  reference: { name: { path: 'metadata.name', regex: { pattern: '^(.*)$', replacement: '$1-app' } } },
  cleanup: true,
  watch: { byOwner: {} },
};

/** The workshop's PublishedResources, named with `prefix`, labelled for `agentName`, with {@link appCredentials}. */
async function publishedResources(prefix: string, agentName: string): Promise<KubeObject[]> {
  const workshop = [
    ...(await loadManifests(syncagentTestdata('resources-cluster.yaml'))),
    ...(await loadManifests(syncagentTestdata('resources-database.yaml'))),
  ] as unknown as Array<KubeObject & { spec: { resource: { kind: string }; related?: unknown[] } }>;
  return workshop.map((pr) => ({
    ...pr,
    metadata: {
      ...pr.metadata,
      name: `${prefix}${pr.metadata?.name ?? ''}`,
      labels: { ...pr.metadata?.labels, [AGENT_LABEL]: agentName },
    },
    spec:
      pr.spec.resource.kind === 'Cluster'
        ? { ...pr.spec, related: [...(pr.spec.related ?? []), appCredentials] }
        : pr.spec,
  }));
}

/** Sets the team up and runs its agent and the stand-in CNPG operator; resolves once tenants can bind the export. */
export async function startDatabaseTeam(options: DatabaseTeamOptions): Promise<ProviderTeam> {
  const { kcp, service, prefix } = options;
  const workspace = await kcp.createWorkspace({
    name: `${prefix}database-team`,
    timeoutMs: options.timeoutMs,
  });
  const inWorkspace = kcp.clientFor(workspace.path);
  await applyManifests(inWorkspace, await loadManifests(syncagentTestdata('export.yaml')), {
    fieldManager: 'database-team',
  });
  const agentName = `${prefix}database-team-syncagent`;
  await applyManifests(service, await publishedResources(prefix, agentName), {
    fieldManager: 'database-team',
  });
  return runProviderTeam({
    workspace,
    exportName: POSTGRES_EXPORT,
    agent: {
      service,
      kcp: inWorkspace,
      apiExportRef: POSTGRES_EXPORT,
      agentName,
      ...(options.logger ? { logger: options.logger } : {}),
    },
    startStandIn: () => startPostgresStandIn(service, options.logger),
    published: {
      resources: ['clusters.postgresql.cnpg.io', 'databases.postgresql.cnpg.io'],
      claims: ['secrets'],
      timeoutMs: options.timeoutMs,
    },
  });
}
