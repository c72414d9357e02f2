/**
 * The observability team: its Elasticsearch CRD on its own service cluster, published into kcp the way
 * the database team does it — an APIExport, here with an explicit APIExportEndpointSlice, a
 * PublishedResource (with the instance's `<name>-es-elastic-user` Secret synced back to the tenant) and a
 * second syncagent instance that selects only this team's PublishedResources — plus a stand-in operator.
 */
import { type Client, type Logger, applyManifests, isForbidden, waitFor } from '@kubeloom/core';
import { APIExportEndpointSliceResource, APIExportResource } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { createIfMissing } from './create-if-missing.ts';
import { ElasticsearchResource } from '../api/elasticsearch.ts';
import { ELASTICSEARCH_GROUP } from './elasticsearch-crd.ts';
import { startElasticsearchStandIn } from './elasticsearch-stand-in.ts';
import { AGENT_LABEL } from './team-agent.ts';
import { type ProviderTeam, runProviderTeam } from './team.ts';

/** The team's export, named after its API group. */
export const ELASTICSEARCH_EXPORT = ELASTICSEARCH_GROUP;
/** The endpoint slice the team's agent follows. */
export const ELASTICSEARCH_ENDPOINT_SLICE = 'elasticsearch';

/** Options for {@link startObservabilityTeam}. */
export interface ObservabilityTeamOptions {
  kcp: KcpTestEnvironment;
  /** The team's service cluster (Elasticsearch and PublishedResource CRDs installed). */
  service: Client;
  /** Prefix for the workspace, the agent and the PublishedResource. */
  prefix: string;
  timeoutMs: number;
  logger?: Logger;
}

/** Sets the team up and runs its agent and the stand-in Elastic operator; resolves once tenants can bind the export. */
export async function startObservabilityTeam(options: ObservabilityTeamOptions): Promise<ProviderTeam> {
  const { kcp, service, prefix } = options;
  const workspace = await kcp.createWorkspace({
    name: `${prefix}observability-team`,
    timeoutMs: options.timeoutMs,
  });
  const inWorkspace = kcp.clientFor(workspace.path);
  await createIfMissing(() =>
    inWorkspace.create(APIExportResource, { metadata: { name: ELASTICSEARCH_EXPORT }, spec: {} }),
  );
  // The permission to bind the new export reaches kcp's authorizer a moment after the export exists.
  await waitFor(
    () =>
      createIfMissing(() =>
        inWorkspace.create(APIExportEndpointSliceResource, {
          metadata: { name: ELASTICSEARCH_ENDPOINT_SLICE },
          spec: { export: { path: workspace.path, name: ELASTICSEARCH_EXPORT } },
        }),
      ).then(() => true),
    {
      what: `APIExportEndpointSlice ${workspace.path}:${ELASTICSEARCH_ENDPOINT_SLICE} to be accepted`,
      timeoutMs: options.timeoutMs,
      retryOn: isForbidden,
    },
  );
  const agentName = `${prefix}observability-team-syncagent`;
  // In the workshop's (v0.2) shape, like the database team's.
  const publishedResource = {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: `${prefix}publish-elasticsearch`, labels: { [AGENT_LABEL]: agentName } },
    spec: {
      resource: {
        kind: ElasticsearchResource.kind,
        apiGroup: ELASTICSEARCH_GROUP,
        version: ElasticsearchResource.version,
      },
      // Next to the database team's copies of the same tenant, never in the same namespace.
      naming: { namespace: '$remoteClusterName-search', name: '$remoteName' },
      related: [
        {
          kind: 'Secret',
          origin: 'service',
          identifier: 'elastic-user',
          reference: {
            name: { path: 'metadata.name', regex: { pattern: '^(.*)$', replacement: '$1-es-elastic-user' } },
          },
          cleanup: true,
          watch: { byOwner: {} },
        },
      ],
    },
  };
  await applyManifests(service, [publishedResource], { fieldManager: 'observability-team' });
  return runProviderTeam({
    workspace,
    exportName: ELASTICSEARCH_EXPORT,
    agent: {
      service,
      kcp: inWorkspace,
      apiExportEndpointSliceRef: ELASTICSEARCH_ENDPOINT_SLICE,
      agentName,
      ...(options.logger ? { logger: options.logger } : {}),
    },
    startStandIn: () => startElasticsearchStandIn(service, options.logger),
    published: {
      resources: [`${ElasticsearchResource.plural}.${ELASTICSEARCH_GROUP}`],
      claims: ['secrets'],
      timeoutMs: options.timeoutMs,
    },
  });
}
