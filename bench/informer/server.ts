/**
 * Child process of the informer benchmark: a FakeApiServer serving ConfigMaps. With a second argument n it
 * starts with n ~1 KiB ConfigMaps (the "initial list" scenario). On the message `{ emit: n }` it streams n
 * ADDED events of such ConfigMaps to every open watch and answers with the total JSON size of those objects.
 */
import { writeFileSync } from 'node:fs';
import { ConfigMapResource, type ConfigMap } from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';

const server = await FakeApiServer.start({
  resources: [ConfigMapResource],
  historyLimit: 10,
  bookmarkIntervalMs: 60_000,
});
const kubeconfigPath = process.argv[2] as string;
const preload = Number(process.argv[3] ?? 0);
writeFileSync(kubeconfigPath, server.kubeconfig());

/** A ConfigMap whose JSON is about 1 KiB, shaped like a real one (labels, annotations, data). */
export function configMap(i: number): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `cm-${i}`,
      namespace: `ns-${i % 50}`,
      labels: { app: 'shop', tier: i % 2 ? 'web' : 'db', release: `r${i % 7}` },
      annotations: { 'example.io/owner': `team-${i % 13}` },
    },
    data: {
      'config.yaml': `# settings for instance ${i}\n${'key: value-with-some-padding\n'.repeat(22)}`,
      mode: i % 3 ? 'fast' : 'safe',
    },
  };
}

process.on('message', (message: { emit?: number; stop?: boolean }) => {
  if (message.stop) {
    void server.stop().then(() => process.exit(0));
    return;
  }
  const n = message.emit ?? 0;
  const objects = Array.from({ length: n }, (_, i) => configMap(i));
  let jsonBytes = 0;
  const changes = objects.map((object) => ({ type: 'ADDED' as const, object }));
  server.emit(ConfigMapResource, changes);
  for (const o of server.objects(ConfigMapResource)) jsonBytes += JSON.stringify(o).length;
  process.send?.({ emitted: n, jsonBytes });
});
// The "initial list" scenario: objects exist before the consumer starts.
let preloadedJsonBytes = 0;
if (preload > 0) {
  server.emit(
    ConfigMapResource,
    Array.from({ length: preload }, (_, i) => ({ type: 'ADDED' as const, object: configMap(i) })),
  );
  for (const o of server.objects(ConfigMapResource)) preloadedJsonBytes += JSON.stringify(o).length;
}
process.send?.({ ready: true, url: server.url, jsonBytes: preloadedJsonBytes });
