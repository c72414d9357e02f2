/**
 * Child process of the informer benchmark: caches ConfigMaps with one implementation, reports when its
 * initial (empty) list is done, then measures how fast it takes in the watch events the server sends and
 * how much heap the cached objects take. Run with --expose-gc.
 */
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import { Client, ConfigMapResource, LineSplitter, SharedInformer, resourcePath } from '@kubeloom/core';

const [impl, kubeconfigPath, expectedText] = process.argv.slice(2) as [string, string, string];
const expected = Number(expectedText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

let received = 0;
let firstAt = 0;
let cpuAtFirst: NodeJS.CpuUsage | undefined;
let baselineHeap = 0;
let keepAlive: unknown;

function onEvent(): void {
  if (received === 0) {
    firstAt = performance.now();
    cpuAtFirst = process.cpuUsage();
  }
  if (++received === expected) finish();
}

function finish(): void {
  const wallMs = performance.now() - firstAt;
  const cpu = process.cpuUsage(cpuAtFirst);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Let the last callbacks unwind before measuring the heap.
  setImmediate(() => {
    const heapBytes = heapUsed() - baselineHeap;
    process.send?.({ done: true, received, wallMs, cpuMs, heapBytes });
    void keepAlive;
    setTimeout(() => process.exit(0), 50);
  });
}

if (impl === 'kubeloom') {
  const client = Client.fromKubeConfig({ path: kubeconfigPath });
  const informer = new SharedInformer(client, ConfigMapResource);
  informer.addHandler({ onAdd: onEvent });
  informer.start();
  await informer.waitForSync();
  keepAlive = informer;
} else if (impl === 'client-node') {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, '/api/v1/configmaps', () => api.listConfigMapForAllNamespaces());
  informer.on('add', onEvent);
  await informer.start();
  keepAlive = informer;
} else if (impl === 'json-parse-into-map') {
  // The floor: read the same watch stream, JSON.parse each line, keep it in a Map. No cache features.
  const client = Client.fromKubeConfig({ path: kubeconfigPath });
  const list = await client.list(ConfigMapResource);
  const map = new Map<string, unknown>();
  const stream = await client.rest.stream({
    path: resourcePath(ConfigMapResource),
    query: { watch: 1, resourceVersion: list.metadata.resourceVersion },
  });
  const splitter = new LineSplitter();
  stream.body.on('data', (chunk: Uint8Array) =>
    splitter.push(chunk, (line) => {
      const event = JSON.parse(line) as { object: { metadata: { namespace: string; name: string } } };
      map.set(`${event.object.metadata.namespace}/${event.object.metadata.name}`, event.object);
      onEvent();
    }),
  );
  keepAlive = map;
} else {
  throw new Error(`unknown implementation ${impl}`);
}

baselineHeap = heapUsed();
process.send?.({ synced: true });
