/**
 * Runs the greeter against every workspace bound to an APIExport, until SIGTERM/SIGINT:
 *
 *   node examples/quickstart/main.ts --kubeconfig provider.kubeconfig --export greetings.quickstart.kubeloom.dev
 *
 * The kubeconfig points at the provider workspace (the one holding the APIExport), e.g. a server URL
 * ending in /clusters/root:quickstart-provider.
 */
import { parseArgs } from 'node:util';
import { Client, type Logger, Manager } from '@kubeloom/core';
import { APIExportProvider } from '@kubeloom/kcp-provider';
import { greeterController } from './greeter.ts';

/** Builds the manager: the provider workspace is the local cluster, the bound workspaces come from the export. */
export function quickstartManager(
  client: Client,
  exportName: string,
  options: { logger?: Logger } = {},
): Manager {
  const provider = new APIExportProvider({ client, endpointSlice: exportName, ...options });
  const manager = new Manager({ local: client, provider, healthProbeBindAddress: '127.0.0.1:0', ...options });
  manager.add(greeterController({ logger: manager.logger, metrics: manager.controllerMetrics }));
  return manager;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, context: { type: 'string' }, export: { type: 'string' } },
  });
  if (!values.export)
    throw new Error('pass --export <APIExport name> (and --kubeconfig for the provider workspace)');
  const client = Client.fromKubeConfig({
    ...(values.kubeconfig ? { path: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
  });
  const manager = quickstartManager(client, values.export);
  manager.installSignalHandlers();
  await manager.start();
}
