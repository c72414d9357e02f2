/**
 * Runs the app-placement controller over the kcp workspaces bound to an APIExport that claims ConfigMaps
 * (the quickstart's export does) and the kind clusters on this machine, until SIGTERM/SIGINT:
 *
 *   node examples/mixed-fleet/main.ts --kubeconfig provider.kubeconfig \
 *     --export greetings.quickstart.kubeloom.dev [--kind-prefix fleet-]
 */
import { parseArgs } from 'node:util';
import { Client } from '@kubeloom/core';
import { APIExportProvider } from '@kubeloom/kcp-provider';
import { mixedFleetManager } from './mixed-fleet.ts';

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      export: { type: 'string' },
      'kind-prefix': { type: 'string' },
    },
  });
  if (!values.export)
    throw new Error('pass --export <APIExport name> (and --kubeconfig for the provider workspace)');
  const local = Client.fromKubeConfig({
    ...(values.kubeconfig ? { path: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
  });
  const { manager } = await mixedFleetManager({
    local,
    kcp: new APIExportProvider({ client: local, endpointSlice: values.export }),
    kind: values['kind-prefix'] ? { prefix: values['kind-prefix'] } : {},
    healthProbeBindAddress: '127.0.0.1:8081',
  });
  manager.installSignalHandlers();
  await manager.start();
}
