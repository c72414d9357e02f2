/**
 * Child process of the simulated-scale benchmark: one FakeApiServer playing a kcp shard behind an APIExport.
 * It holds the provider workspace's APIExportEndpointSlice (whose one endpoint URL is this server) and, for
 * each of N logical clusters, an APIBinding that is Ready and one ConfigMap — everything served through
 * `/clusters/*` as kcp's virtual workspace serves it.
 *
 *   node bench/scale/sim-server.ts <kubeconfig path> <clusters>
 *
 * Messages: `{ burst: { round, events } }` modifies the ConfigMaps of `events` clusters spread over the whole
 * fleet (answers `{ burstSent }`); `{ stop: true }` stops.
 */
import { writeFileSync } from 'node:fs';
import { type ConfigMap, ConfigMapResource } from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';
import {
  type APIBinding,
  APIBindingResource,
  type APIExportEndpointSlice,
  APIExportEndpointSliceResource,
} from '@kubeloom/kcp-provider';
import { clusterName, EXPORT_NAME, PROVIDER_WORKSPACE } from './sim-fleet.ts';

function binding(cluster: string): APIBinding {
  return {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIBinding',
    metadata: {
      name: EXPORT_NAME,
      annotations: { 'kcp.io/cluster': cluster, 'kcp.io/path': `root:consumers:${cluster}` },
    },
    spec: { reference: { export: { name: EXPORT_NAME, path: PROVIDER_WORKSPACE } } },
    status: { phase: 'Bound', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function configMap(cluster: string, round: number): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'settings',
      namespace: 'default',
      annotations: { 'kcp.io/cluster': cluster },
      labels: { app: 'shop' },
    },
    data: { round: String(round), greeting: 'hello' },
  };
}

const kubeconfigPath = process.argv[2] as string;
const clusters = Number(process.argv[3] ?? 1000);

const server = await FakeApiServer.start({
  resources: [APIExportEndpointSliceResource, APIBindingResource, ConfigMapResource],
  historyLimit: 20_000,
  bookmarkIntervalMs: 60_000,
  requestLogLimit: 1000,
});
const slice: APIExportEndpointSlice = {
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIExportEndpointSlice',
  metadata: { name: EXPORT_NAME, annotations: { 'kcp.io/cluster': PROVIDER_WORKSPACE } },
  spec: { export: { name: EXPORT_NAME, path: PROVIDER_WORKSPACE } },
  status: { endpoints: [{ url: server.url }] },
};
server.emit(APIExportEndpointSliceResource, [{ type: 'ADDED', object: slice }]);
const names = Array.from({ length: clusters }, (_, i) => clusterName(i));
server.emit(
  APIBindingResource,
  names.map((name) => ({ type: 'ADDED' as const, object: binding(name) })),
);
server.emit(
  ConfigMapResource,
  names.map((name) => ({ type: 'ADDED' as const, object: configMap(name, 0) })),
);
writeFileSync(kubeconfigPath, server.kubeconfig({ cluster: PROVIDER_WORKSPACE }));

process.on('message', (message: { burst?: { round: number; events: number }; stop?: boolean }) => {
  if (message.stop) {
    void server.stop().then(() => process.exit(0));
    return;
  }
  if (message.burst) {
    const { round, events } = message.burst;
    // Spread over the whole fleet, so dispatch cannot benefit from touching the same few workspaces.
    const stride = Math.max(1, Math.floor(clusters / events));
    const changes = Array.from({ length: Math.min(events, clusters) }, (_, i) => ({
      type: 'MODIFIED' as const,
      object: configMap(clusterName((i * stride) % clusters), round),
    }));
    const sentAt = Date.now();
    server.emit(ConfigMapResource, changes);
    process.send?.({ burstSent: true, sentAt, events: changes.length });
  }
});
process.send?.({ ready: true });
