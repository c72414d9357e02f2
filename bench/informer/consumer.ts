/**
 * Child process of the informer benchmark: caches ConfigMaps with one implementation and measures how fast
 * it takes them in and how much heap they take once cached. Run with --expose-gc.
 *
 * Scenarios:
 * - `watch`: the list is empty; after reporting `synced`, it receives the objects as watch events;
 * - `list`: the objects exist before it starts; it measures from start until the last one is cached.
 */
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import { Client, ConfigMapResource, LineSplitter, SharedInformer, resourcePath } from '@kubeloom/core';

const [impl, kubeconfigPath, expectedText, scenario = 'watch'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string?,
];
const expected = Number(expectedText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

let received = 0;
let started = false;
let startAt = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let baselineHeap = 0;
let keepAlive: unknown;

function startClock(): void {
  started = true;
  startAt = performance.now();
  cpuAtStart = process.cpuUsage();
}

function onEvent(): void {
  if (!started) startClock();
  if (++received === expected) finish();
}

function finish(): void {
  const wallMs = performance.now() - startAt;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Let the last callbacks unwind before measuring the heap.
  setImmediate(() => {
    const heapBytes = heapUsed() - baselineHeap;
    process.send?.({ done: true, received, wallMs, cpuMs, heapBytes });
    void keepAlive;
    setTimeout(() => process.exit(0), 50);
  });
}

baselineHeap = heapUsed();
if (scenario === 'list') startClock();

if (impl === 'kubeloom') {
  const client = Client.fromKubeConfig({ path: kubeconfigPath });
  const informer = new SharedInformer(client, ConfigMapResource);
  informer.addHandler({ onAdd: onEvent });
  informer.start();
  keepAlive = informer;
  if (scenario === 'watch') await informer.waitForSync();
} else if (impl === 'client-node') {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, '/api/v1/configmaps', () => api.listConfigMapForAllNamespaces());
  informer.on('add', onEvent);
  keepAlive = informer;
  if (scenario === 'watch') await informer.start();
  else void informer.start();
} else if (impl === 'json-parse-into-map') {
  // The floor: JSON.parse into a Map, no cache features (the list is parsed whole, watch lines one by one).
  const client = Client.fromKubeConfig({ path: kubeconfigPath });
  const map = new Map<string, unknown>();
  keepAlive = map;
  const list = await client.list(ConfigMapResource);
  for (const item of list.items) {
    map.set(`${item.metadata?.namespace}/${item.metadata?.name}`, item);
    onEvent();
  }
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
} else {
  throw new Error(`unknown implementation ${impl}`);
}

if (scenario === 'watch') {
  baselineHeap = heapUsed();
  process.send?.({ synced: true });
}
