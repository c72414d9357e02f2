/**
 * Child process of the simulated-scale benchmark (run with --expose-gc). Two modes:
 *
 * - `provider`: a Manager with the APIExportProvider and a ConfigMap controller that reads its object from
 *   the cache (what a provider's controller does), against the FakeApiServer of `sim-server.ts`. Reports
 *   when every workspace is engaged and when every one was reconciled once, the heap after GC, then
 *   reconciles bursts of changes on request.
 * - `informers`: only the two wildcard informers the provider runs (APIBindings and ConfigMaps across
 *   `/clusters/*`), synced — the same cached objects without any engaged workspace: the baseline that
 *   "heap per workspace beyond its cached objects" subtracts.
 *
 *   node --expose-gc bench/scale/sim-controller.ts <provider|informers> <kubeconfig path> <clusters>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import {
  Client,
  ConfigMapResource,
  ControllerBuilder,
  JsonLogger,
  Manager,
  SharedInformer,
} from '@kubeloom/core';
import { APIBindingResource, APIExportProvider, wildcardUrl } from '@kubeloom/kcp-provider';
import { EXPORT_NAME } from './sim-fleet.ts';

const [mode, kubeconfigPath, clustersArg] = process.argv.slice(2) as [string, string, string];
const clusters = Number(clustersArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('sim-controller.ts: run it with node --expose-gc');

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const client = Client.fromKubeConfig({ text: readFileSync(kubeconfigPath, 'utf8') });
const startedAt = Date.now();
const startCpu = cpuMs();

if (mode === 'informers') {
  const url = client.rest.server.replace(/\/clusters\/.*$/, '');
  const wildcard = client.withServer(wildcardUrl(url));
  const stop = new AbortController();
  const informers = [
    new SharedInformer(wildcard, APIBindingResource),
    new SharedInformer(wildcard, ConfigMapResource),
  ];
  for (const informer of informers) informer.start(stop.signal);
  await Promise.all(informers.map((i) => i.waitForSync({ timeoutMs: 600_000 })));
  await settle(500);
  process.send?.({ baseline: true, heapBytes: heapAfterGc(), syncedMs: Date.now() - startedAt });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) {
      stop.abort();
      process.exit(0);
    }
  });
} else {
  const logger = new JsonLogger({ level: 'warn' });
  const provider = new APIExportProvider({ client, endpointSlice: EXPORT_NAME, logger });
  const manager = new Manager({ local: client, provider, logger });
  const reconciledOnce = new Set<string>();
  let allEngagedMs: number | undefined;
  let round = 0;
  let roundReconciles = 0;
  let roundTarget = 0;
  let onRoundDone: (() => void) | undefined;
  manager.add(
    new ControllerBuilder('scale-configmap').for(ConfigMapResource).build(async (req, { cluster }) => {
      const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
      if (!cm) return;
      if (!reconciledOnce.has(req.cluster)) reconciledOnce.add(req.cluster);
      if (round > 0 && cm.data?.round === String(round)) {
        roundReconciles++;
        if (roundReconciles === roundTarget) onRoundDone?.();
      }
    }),
  );
  void manager.start();
  // Polled rather than hooked: the provider's own bookkeeping decides when a workspace counts as engaged.
  // Only once the provider says its initial set is engaged: listing 100,000 names every 50 ms before
  // then cost the measured process 1 % of its CPU, and more in garbage collection.
  let providerReady = false;
  void provider.ready.then(() => {
    providerReady = true;
  });
  while (reconciledOnce.size < clusters || allEngagedMs === undefined) {
    if (allEngagedMs === undefined && providerReady && provider.clusterNames().length >= clusters)
      allEngagedMs = Date.now() - startedAt;
    await settle(50);
  }
  const reconciledMs = Date.now() - startedAt;
  const startupCpuMs = cpuMs() - startCpu;
  await settle(1000);
  const heapBytes = heapAfterGc();
  const snapshotDir = process.env.KUBELOOM_SCALE_HEAP_SNAPSHOT;
  if (snapshotDir) writeHeapSnapshot(join(snapshotDir, `provider-${clusters}.heapsnapshot`));
  process.send?.({
    engaged: true,
    allEngagedMs,
    reconciledMs,
    startupCpuMs,
    heapBytes,
    rssBytes: process.memoryUsage().rss,
  });
  process.on('message', (m: { expect?: { round: number; events: number }; stop?: boolean }) => {
    if (m.stop) {
      void manager.stop().then(() => process.exit(0));
      return;
    }
    if (m.expect) {
      round = m.expect.round;
      roundReconciles = 0;
      roundTarget = m.expect.events;
      const cpuBefore = cpuMs();
      onRoundDone = () => {
        onRoundDone = undefined;
        process.send?.({ burstDone: true, doneAt: Date.now(), cpuMs: cpuMs() - cpuBefore });
      };
      process.send?.({ expecting: true });
    }
  });
}
