/**
 * The syncagent's entry point (see README.md). This build contains the foundations only: it parses and
 * validates the command line and both kubeconfigs, then stops with a clear message, because the
 * controllers that would sync are not part of it yet. It never pretends to sync.
 */
import { loadKubeConfig } from '@kubeloom/core';
import { kcpWorkspaceOfServer } from './kcp-workspace-url.ts';
import { OptionsError, type SyncAgentOptions, parseCommandLine } from './options.ts';

/** Printed (to stderr) after a successful check; the exit code is 1. */
export const notYetMessage =
  'the sync controllers are not part of this build yet: flags and kubeconfigs are valid, but nothing will be synced (see examples/syncagent/README.md)';

/** Runs the agent with `argv`; returns the process exit code. Output goes to the given writers. */
export function runSyncAgent(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  let options: SyncAgentOptions;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      out(parsed.usage);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof OptionsError) {
      err(`api-syncagent: ${error.message}`);
      return 2;
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
    out(
      `api-syncagent: agent "${options.agentName}", kcp workspace ${workspace}, ${options.apiExportEndpointSliceRef ? `APIExportEndpointSlice "${options.apiExportEndpointSliceRef}"` : `APIExport "${options.apiExportRef}"`}, service cluster from ${service.description}, namespace "${options.namespace}"`,
    );
  } catch (error) {
    err(`api-syncagent: ${(error as Error).message}`);
    return 1;
  }
  err(`api-syncagent: ${notYetMessage}`);
  return 1;
}

if (import.meta.main) {
  process.exitCode = runSyncAgent(
    process.argv.slice(2),
    (l) => process.stdout.write(`${l}\n`),
    (l) => process.stderr.write(`${l}\n`),
  );
}
