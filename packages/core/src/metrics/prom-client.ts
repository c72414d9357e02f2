import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

/** The parts of prom-client that kubeloom uses, the same classes `import 'prom-client'` gives. */
export type PromClientParts = Pick<
  typeof PromClient,
  'Registry' | 'Counter' | 'Gauge' | 'Histogram' | 'exponentialBuckets' | 'linearBuckets'
>;

let loaded: PromClientParts | undefined;

/**
 * prom-client's registry and metric classes, loaded on first use rather than when @kubeloom/core is
 * imported, and without prom-client's index: that loads its push gateway client (node:http, node:https,
 * node:zlib), its cluster aggregator (node:cluster) and, for exemplars, @opentelemetry/api (~50 modules):
 * ~0.06 CPU-s and ~21 MiB of RSS where these parts take ~0.02 CPU-s and ~7 MiB. prom-client has no
 * `exports` map, so its modules can be required directly; they are the very modules its index exports
 * (one instance per process), so metrics a program makes with `import { Counter } from 'prom-client'`
 * register in kubeloom's registries as usual.
 */
export function promClient(): PromClientParts {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const buckets = require('prom-client/lib/bucketGenerators.js') as Pick<
      typeof PromClient,
      'exponentialBuckets' | 'linearBuckets'
    >;
    loaded = {
      Registry: require('prom-client/lib/registry.js') as typeof PromClient.Registry,
      Counter: require('prom-client/lib/counter.js') as typeof PromClient.Counter,
      Gauge: require('prom-client/lib/gauge.js') as typeof PromClient.Gauge,
      Histogram: require('prom-client/lib/histogram.js') as typeof PromClient.Histogram,
      exponentialBuckets: buckets.exponentialBuckets,
      linearBuckets: buckets.linearBuckets,
    };
  }
  return loaded;
}

/** One of prom-client's default-metric modules: registers its series in `registry`. */
type DefaultMetric = (registry: PromClient.Registry, config: Record<string, never>) => void;

/**
 * prom-client's default metrics except the CPU counters (whose module loads @opentelemetry/api for
 * exemplars) and the event-loop lag (sampled from process start): `process_*` memory, file descriptors,
 * handles, start time, `nodejs_*` heap, GC, version. Nothing here runs between scrapes but the GC observer.
 */
export function registerPromClientProcessMetrics(registry: PromClient.Registry): void {
  const require = createRequire(import.meta.url);
  for (const name of [
    'processStartTime',
    'osMemoryHeap',
    'processOpenFileDescriptors',
    'processMaxFileDescriptors',
    'processResources',
    'processHandles',
    'processRequests',
    'heapSizeAndUsed',
    'heapSpacesSizeAndUsed',
    'version',
    'gc',
  ]) {
    (require(`prom-client/lib/metrics/${name}.js`) as DefaultMetric)(registry, {});
  }
}
