/**
 * Wires the syncagent: a kubeloom Manager whose local cluster is the service cluster and whose provider
 * is the APIExport provider on the export's endpoint slice (every workspace that binds the export is
 * engaged through the export's virtual workspace), plus the three controllers — APIResourceSchema,
 * APIExport and the sync manager (one sync controller per PublishedResource). `main.ts` builds it from
 * the command line; tests build it directly.
 */
import {
  type Client,
  type KubeObject,
  type LabelSelector,
  type Logger,
  Manager,
  type Provider,
  ShardedProvider,
} from '@kubeloom/core';
import { APIExportEndpointSliceResource, APIExportProvider, clusterUrl } from '@kubeloom/kcp-provider';
import { apiExportController } from './apiexport-controller.ts';
import type { controllerNames } from './options.ts';
import { schemaController } from './schema-controller.ts';
import { StaleNamespaceCollector, defaultStaleGraceMs } from './stale-namespace-collector.ts';
import { StateStore } from './state-store.ts';
import { type SyncRecord, syncManagerController } from './sync-controllers.ts';
import { type SyncAgentSharding, shardingGroupOf } from './sync-sharding.ts';

/** How the agent is configured (the command line's options, resolved to clients). */
export interface SyncAgentConfig {
  /** The service cluster. */
  readonly service: Client;
  /** kcp, pointed at the workspace of `--kcp-kubeconfig` (the endpoint slice's, or the export's with an export ref). */
  readonly kcp: Client;
  /** Exactly one: the APIExportEndpointSlice in that workspace, or (v0.2) the APIExport itself. */
  readonly apiExportEndpointSliceRef?: string | undefined;
  readonly apiExportRef?: string | undefined;
  /** The agent's namespace on the service cluster (state Secrets, the leader-election Lease). */
  readonly namespace: string;
  readonly agentName: string;
  /** Which PublishedResources this agent handles (default all). */
  readonly publishedResourceSelector?: LabelSelector;
  readonly disabledControllers?: ReadonlyArray<(typeof controllerNames)[number]>;
  readonly enableLeaderElection?: boolean;
  readonly logger?: Logger;
  readonly metricsBindAddress?: string;
  readonly healthProbeBindAddress?: string;
  /** How long a workspace whose binding is not Ready stays engaged (the provider's default: 30 s). */
  readonly notReadyGraceMs?: number;
  /**
   * How long a workspace must have no binding of the export before its copies, the namespaces the agent
   * created for it and its state are deleted from the service cluster (default 10 minutes; 0 disables).
   */
  readonly staleWorkspaceGraceMs?: number;
  /**
   * Spread the bound workspaces over every replica of this agent (same `agentName` and `namespace`):
   * each replica syncs only the workspaces whose bucket Lease it holds. The Leases live in `namespace` on
   * the service cluster. Absent: this replica syncs every workspace.
   */
  readonly sharding?: SyncAgentSharding;
  /** Called after every sync of a kcp object this replica ran (an audit trail; tests assert on it). */
  readonly onSynced?: (record: SyncRecord) => void;
}

/** A configured, not yet started agent. */
export interface SyncAgent {
  readonly manager: Manager;
  readonly provider: APIExportProvider;
  /** With `sharding`: the wrapper that decides which workspaces this replica syncs. */
  readonly sharded?: ShardedProvider | undefined;
  /** The APIExport the agent fills in. */
  readonly apiExportName: string;
  /** The PublishedResources with a running sync controller. */
  syncing(): string[];
  /** Runs until `signal` aborts (or `manager.stop()`), then shuts down. */
  start(signal?: AbortSignal): Promise<void>;
}

/** Before the sync manager exists (or with `--disabled-controllers sync`): nothing is synced. */
const noneSyncing = (): string[] => [];

/** Resolves the export and builds the manager and controllers. Reads the endpoint slice when given one. */
export async function createSyncAgent(config: SyncAgentConfig): Promise<SyncAgent> {
  let sliceName: string;
  let exportName: string;
  let exportClient = config.kcp;
  if (config.apiExportEndpointSliceRef) {
    sliceName = config.apiExportEndpointSliceRef;
    const slice = await config.kcp.get(APIExportEndpointSliceResource, sliceName);
    exportName = slice.spec.export.name;
    if (slice.spec.export.path)
      exportClient = config.kcp.withServer(clusterUrl(config.kcp.rest.server, slice.spec.export.path));
  } else if (config.apiExportRef) {
    // kcp >= 0.28 creates an endpoint slice named like the export, next to it.
    sliceName = config.apiExportRef;
    exportName = config.apiExportRef;
  } else {
    throw new TypeError('createSyncAgent needs apiExportEndpointSliceRef or apiExportRef');
  }
  const logger = config.logger;
  const provider = new APIExportProvider({
    client: config.kcp,
    endpointSlice: sliceName,
    ...(logger ? { logger } : {}),
    eventComponent: config.agentName,
    ...(config.notReadyGraceMs !== undefined ? { notReadyGraceMs: config.notReadyGraceMs } : {}),
  });
  const sharded = config.sharding
    ? new ShardedProvider(provider, {
        client: config.service,
        namespace: config.namespace,
        group: shardingGroupOf(config.agentName),
        ...config.sharding,
        ...(logger ? { logger } : {}),
      })
    : undefined;
  if (sharded && !config.enableLeaderElection) {
    logger?.warn(
      'sharding without leader election: every replica also runs the APIResourceSchema and APIExport controllers; add --enable-leader-election so that only one does',
    );
  }
  const managerProvider: Provider = sharded ?? provider;
  const manager = new Manager({
    local: config.service,
    provider: managerProvider,
    ...(logger ? { logger } : {}),
    eventComponent: config.agentName,
    ...(config.metricsBindAddress ? { metricsBindAddress: config.metricsBindAddress } : {}),
    ...(config.healthProbeBindAddress ? { healthProbeBindAddress: config.healthProbeBindAddress } : {}),
    ...(config.enableLeaderElection
      ? { leaderElection: { leaseName: `syncagent.${config.agentName}`, leaseNamespace: config.namespace } }
      : {}),
  });
  const selector = config.publishedResourceSelector;
  const selects = (pr: KubeObject): boolean => selector?.matches(pr.metadata?.labels ?? {}) ?? true;
  const disabled = new Set(config.disabledControllers ?? []);
  const controllerOptions = { logger: manager.logger, metrics: manager.controllerMetrics };
  const service = manager.localCluster;
  if (!disabled.has('apiresourceschema')) {
    manager.add(
      schemaController({
        service,
        kcp: exportClient,
        agentName: config.agentName,
        selects,
        controllerOptions,
      }),
    );
  }
  if (!disabled.has('apiexport')) {
    manager.add(
      apiExportController({
        service,
        kcp: exportClient,
        apiExportName: exportName,
        agentName: config.agentName,
        selects,
        registry: manager.registry,
        controllerOptions,
      }),
    );
  }
  let syncing = noneSyncing;
  if (!disabled.has('sync')) {
    const syncManager = syncManagerController({
      manager,
      service,
      state: new StateStore(config.service, config.namespace),
      agentName: config.agentName,
      selects,
      controllerOptions,
      ...(sharded ? { sharded } : {}),
      ...(config.onSynced ? { onSynced: config.onSynced } : {}),
    });
    manager.add(syncManager);
    syncing = () => syncManager.running();
    const graceMs = config.staleWorkspaceGraceMs ?? defaultStaleGraceMs;
    if (graceMs > 0) {
      manager.add(
        new StaleNamespaceCollector({
          service: config.service,
          kcp: config.kcp,
          endpointUrls: () => provider.endpointUrls(),
          agentName: config.agentName,
          namespace: config.namespace,
          resources: () => syncManager.localResources(),
          graceMs,
          logger: manager.logger,
        }),
      );
    }
  }
  return {
    manager,
    provider,
    sharded,
    apiExportName: exportName,
    syncing: () => syncing(),
    start: (signal) => manager.start(signal),
  };
}
