// The controller the Deployment runs: any provider's workspaces, spread over the replicas.
import { Client, ConfigMapResource, ControllerBuilder, Manager, ShardedProvider } from '@kubeloom/core';
import { APIExportProvider } from '@kubeloom/kcp-provider';

const identity = process.env.POD_NAME;
const namespace = process.env.LEASE_NAMESPACE ?? 'default';
// $KUBECONFIG points at the provider workspace: the endpoint slice and the Leases live there.
const client = Client.fromKubeConfig();
const inner = new APIExportProvider({ client, endpointSlice: 'widgets.example.dev' });
const sharded = new ShardedProvider(inner, {
  client,
  namespace,
  group: 'my-controller',
  ...(identity ? { identity } : {}),
});
const manager = new Manager({
  local: client,
  provider: sharded,
  healthProbeBindAddress: ':8081',
  metricsBindAddress: ':8080',
  // Optional: work that must run once for the whole fleet stays leader-only.
  leaderElection: {
    leaseName: 'my-controller-leader',
    leaseNamespace: namespace,
    ...(identity ? { identity } : {}),
  },
});
manager.add(
  new ControllerBuilder('welcome')
    .for(ConfigMapResource)
    .withOptions({ logger: manager.logger, metrics: manager.controllerMetrics, needLeaderElection: false })
    .build(
      sharded.fence(async (request, { cluster, log }) => {
        log.info({ workspace: request.cluster }, 'reconciling');
        await cluster.client.get(ConfigMapResource, request.name, { namespace: request.namespace });
      }),
    ),
);
manager.installSignalHandlers();
await manager.start();
