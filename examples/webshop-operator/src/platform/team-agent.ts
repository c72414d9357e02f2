import {
  type Client,
  type Logger,
  NamespaceResource,
  parseLabelSelector,
  silentLogger,
} from '@kubeloom/core';
import { createSyncAgent } from '@kubeloom/example-syncagent/sync-agent';
import { type RunningManager, runInBackground } from './background-manager.ts';
import { createIfMissing } from './create-if-missing.ts';

/**
 * The label on a PublishedResource naming the agent that publishes it. Several teams share one service
 * cluster, and each team's agent selects only its own PublishedResources.
 */
export const AGENT_LABEL = 'platform.kubeloom.dev/syncagent';

/** Options for {@link startTeamAgent}. */
export interface TeamAgentOptions {
  /** The team's service cluster. */
  service: Client;
  /** kcp, pointed at the team's workspace. */
  kcp: Client;
  /** Exactly one: the export to fill in (its endpoint slice of the same name), or an endpoint slice. */
  apiExportRef?: string;
  apiExportEndpointSliceRef?: string;
  /** Agent name; its PublishedResources carry `AGENT_LABEL=<agentName>`. Also the namespace for its state. */
  agentName: string;
  logger?: Logger;
}

/** Starts an in-process syncagent for one team, in its own namespace, publishing only the team's PublishedResources. */
export async function startTeamAgent(options: TeamAgentOptions): Promise<RunningManager> {
  await createIfMissing(() =>
    options.service.create(NamespaceResource, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: options.agentName },
    }),
  );
  const agent = await createSyncAgent({
    service: options.service,
    kcp: options.kcp,
    apiExportRef: options.apiExportRef,
    apiExportEndpointSliceRef: options.apiExportEndpointSliceRef,
    namespace: options.agentName,
    agentName: options.agentName,
    publishedResourceSelector: parseLabelSelector(`${AGENT_LABEL}=${options.agentName}`),
    logger: options.logger ?? silentLogger,
  });
  return runInBackground(agent);
}
