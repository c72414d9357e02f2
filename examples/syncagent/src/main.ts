/**
 * The syncagent's entry point (see README.md): parses the upstream-compatible command line, checks both
 * kubeconfigs, then runs the agent until SIGTERM/SIGINT.
 */
import { Client, JsonLogger, loadKubeConfig } from '@kubeloom/core';
import { ConsoleLogger } from './console-logger.ts';
import { kcpWorkspaceOfServer } from './kcp-workspace-url.ts';
import { OptionsError, type SyncAgentOptions, parseCommandLine } from './options.ts';
import { type SyncAgentConfig, createSyncAgent } from './sync-agent.ts';

/** Either an exit code (help, a bad command line, a bad kubeconfig) or the agent's configuration. */
export type PreparedSyncAgent = { kind: 'exit'; code: number } | { kind: 'run'; config: SyncAgentConfig };

/** Parses `argv` and loads both kubeconfigs; never connects anywhere. Output goes to the given writers. */
export function prepareSyncAgent(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): PreparedSyncAgent {
  let options: SyncAgentOptions;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      out(parsed.usage);
      return { kind: 'exit', code: 0 };
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof OptionsError) {
      err(`api-syncagent: ${error.message}`);
      return { kind: 'exit', code: 2 };
    }
    throw error;
  }
  try {
    const kcp = loadKubeConfig({ path: options.kcpKubeconfig });
    const workspace = kcpWorkspaceOfServer(
      kcp.kubeConfig.getCurrentCluster()?.server ?? '',
      `--kcp-kubeconfig: ${kcp.description}`,
    );
    const service = loadKubeConfig(options.kubeconfig ? { path: options.kubeconfig } : {});
    const cluster = service.kubeConfig.getCurrentCluster();
    if (cluster && (options.kubeconfigHostOverride || options.kubeconfigCaFileOverride)) {
      // The overrides replace the current cluster's server and CA, as upstream's flags do.
      const { caData, ...rest } = cluster;
      const replaced = {
        ...rest,
        ...(options.kubeconfigHostOverride ? { server: options.kubeconfigHostOverride } : {}),
        ...(options.kubeconfigCaFileOverride
          ? { caFile: options.kubeconfigCaFileOverride }
          : caData !== undefined
            ? { caData }
            : {}),
      };
      service.kubeConfig.clusters = service.kubeConfig.clusters.map((c) =>
        c.name === cluster.name ? replaced : c,
      );
    }
    out(
      `api-syncagent: agent "${options.agentName}", kcp workspace ${workspace}, ${options.apiExportEndpointSliceRef ? `APIExportEndpointSlice "${options.apiExportEndpointSliceRef}"` : `APIExport "${options.apiExportRef}"`}, service cluster from ${service.description}, namespace "${options.namespace}"${options.sharding ? `, sharded as ${options.sharding.identity ? `"${options.sharding.identity}"` : 'a unique identity'} over ${options.sharding.buckets} buckets` : ''}`,
    );
    const level = options.logDebug ? 'debug' : 'info';
    const logger = options.logFormat === 'console' ? new ConsoleLogger({ level }) : new JsonLogger({ level });
    return {
      kind: 'run',
      config: {
        service: Client.fromKubeConfig({ kubeConfig: service.kubeConfig }),
        kcp: Client.fromKubeConfig({ kubeConfig: kcp.kubeConfig }),
        apiExportEndpointSliceRef: options.apiExportEndpointSliceRef,
        apiExportRef: options.apiExportRef,
        namespace: options.namespace,
        agentName: options.agentName,
        publishedResourceSelector: options.publishedResourceLabelSelector,
        disabledControllers: options.disabledControllers,
        enableLeaderElection: options.enableLeaderElection,
        ...(options.sharding ? { sharding: options.sharding } : {}),
        logger,
        ...(options.metricsAddress && options.metricsAddress !== '0'
          ? { metricsBindAddress: options.metricsAddress }
          : {}),
        ...(options.healthAddress && options.healthAddress !== '0'
          ? { healthProbeBindAddress: options.healthAddress }
          : {}),
      },
    };
  } catch (error) {
    err(`api-syncagent: ${(error as Error).message}`);
    return { kind: 'exit', code: 1 };
  }
}

/** Runs the agent with `argv` until a shutdown signal; resolves with the process exit code. */
export async function runSyncAgent(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const prepared = prepareSyncAgent(argv, out, err);
  if (prepared.kind === 'exit') return prepared.code;
  try {
    const agent = await createSyncAgent(prepared.config);
    agent.manager.installSignalHandlers();
    await agent.start();
    return 0;
  } catch (error) {
    err(`api-syncagent: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await runSyncAgent(
    process.argv.slice(2),
    (l) => process.stdout.write(`${l}\n`),
    (l) => process.stderr.write(`${l}\n`),
  );
}
