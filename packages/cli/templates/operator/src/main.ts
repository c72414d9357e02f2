/**
 * `npm start`: installs the API into the provider workspace and runs the operator until SIGTERM/SIGINT.
 *
 *   npm start -- --kubeconfig admin.kubeconfig --workspace root:widgets
 *
 * The kubeconfig reaches kcp (e.g. kcp's admin.kubeconfig); the workspace must exist.
 */
import { parseArgs } from 'node:util';
import { Client } from '@kubeloom/core';
import { clusterUrl } from '@kubeloom/kcp-provider';
import { installApi, operatorManager } from './operator.ts';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    workspace: { type: 'string', default: 'root' },
  },
});
const client = Client.fromKubeConfig({
  ...(values.kubeconfig ? { path: values.kubeconfig } : {}),
  ...(values.context ? { context: values.context } : {}),
});
await installApi(client, values.workspace);
const manager = operatorManager(client.withServer(clusterUrl(client.rest.server, values.workspace)));
manager.installSignalHandlers();
await manager.start();
