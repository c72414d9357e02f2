/**
 * Side by side on one kcp: kcp's Go multicluster-provider `examples/apiexport` (v0.5.1) and the same
 * program on kubeloom (bench/kcp/kubeloom-configmap.ts), each alone and in turn, watching export
 * `bench-<N>` of the persistent bench kcp (bench/kcp/bench-kcp.ts), which is bound in N workspaces holding
 * one ConfigMap each. See bench/README.md for the commands.
 *
 *   node bench/kcp/side-by-side.ts --workspaces 20 --idle 60 --binds 10 --writes 20 [--http1]
 *
 * Per program: process start → first output line and → every workspace reconciled once; CPU to get
 * there; RSS and heap 2 s later; open watch requests it added on kcp (bench/kcp/watch-count.ts) and its
 * TCP connections; CPU over an idle window; write → reconcile under a steady write rate; bind → first
 * reconcile for spare workspaces bound one at a time while it runs (unbound again afterwards).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigMapResource, waitFor } from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import { KubeConfig } from '@kubernetes/client-node';
import { BenchKcp, SEED_CONFIGMAP, exportFor } from './bench-kcp.ts';
import { MCP_VERSION, ensureGoProgram } from './go-program.ts';
import { ProgramUnderTest } from './program-under-test.ts';
import { openWatches, watchesAdded } from './watch-count.ts';

/** A program to measure and how to start it. */
export interface ProgramSpec {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** True for the kubeloom program (heap report on SIGUSR2); the Go program's heap comes from gctrace. */
  reportsHeapOnSignal: boolean;
}

/** What each program is put through after it has reconciled every workspace. */
export interface Scenario {
  /** Seconds of idle after sync, over which CPU is measured. */
  idleS: number;
  /** Patches to distinct workspaces' ConfigMaps, sent at `writeRatePerS` whatever the answers. */
  writes: number;
  writeRatePerS: number;
  /** Spare workspaces bound one at a time while the program runs. */
  binds: number;
}

/** One program's figures at one N. */
export interface Figures {
  startToFirstLineS: number;
  startToAllReconciledS: number;
  cpuToAllReconciledS: number;
  cpuTotalS: number;
  rssAfterSyncMiB: number;
  /** Node: heap used after two full GCs; Go: live heap after its last GC (whole MiB). */
  heapAfterSyncMiB: number | null;
  /**
   * Seconds from the RSS sample (2 s after all reconciled) until the program used less than 2 ms of CPU
   * in each of three seconds in a row (at most 60): the work its first reconciles started, such as the
   * Event each reconcile of the kubeloom program records. The idle window starts then.
   */
  settleS: number;
  idleCpuS: number;
  bindToReconcileMs: { p50: number; p99: number; samples: number[] };
  writeToReconcileMs: { p50: number; p99: number; samples: number[] };
  connectionsToKcp: number;
  /** Open watch requests the program added on kcp, by resource. */
  watches: Record<string, number>;
  watchesTotal: number;
}

const log = (msg: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Nearest-rank percentile. */
export function percentile(samples: number[], p: number): number {
  const sorted = samples.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Waits until `program` used less than 2 ms of CPU in each of three seconds in a row, up to `maxS`;
 * returns the seconds waited. Writes waiting on the server leave quiet seconds between busy ones, and a
 * trickle of a few ms a second would not show in clock ticks: hence three seconds, measured to the ns.
 */
async function settle(program: ProgramUnderTest, maxS = 60): Promise<number> {
  const from = performance.now();
  let quietSeconds = 0;
  while (quietSeconds < 3 && performance.now() - from < maxS * 1000) {
    const cpu = program.cpuSecondsFine();
    await sleep(1000);
    quietSeconds = program.cpuSecondsFine() - cpu < 0.002 ? quietSeconds + 1 : 0;
  }
  return (performance.now() - from) / 1000;
}

/**
 * The programs to compare: the Go example (built or taken from the cache) and the kubeloom program
 * (compiled by `pnpm run build:bench`), both with a kubeconfig for the provider workspace in `dir`.
 */
export async function programSpecs(
  bench: BenchKcp,
  dir: string,
  options: { only?: string; http1?: boolean } = {},
): Promise<ProgramSpec[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(bench.kcp.kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${bench.kcp.kubeconfigPath} has no current cluster`);
  kc.clusters = kc.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: bench.workspaceUrl(bench.provider) } : c,
  );
  const kubeconfig = join(dir, 'provider.kubeconfig');
  writeFileSync(kubeconfig, kc.exportConfig(), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
  delete env.KUBELOOM_KCP_KUBECONFIG;
  delete env.KUBELOOM_HTTP2;
  const specs: ProgramSpec[] = [];
  if (options.only !== 'kubeloom') {
    const go = await ensureGoProgram(log);
    specs.push({
      name: 'go',
      cmd: go,
      args: [],
      env: { ...env, GODEBUG: 'gctrace=1' },
      reportsHeapOnSignal: false,
    });
  }
  if (options.only !== 'go') {
    // The kubeloom program as compiled JavaScript, as it would be deployed: run as .ts, Node would load
    // its TypeScript stripper too (~17 MiB and ~0.1 CPU-s that a deployment does not pay).
    const here = import.meta.dirname;
    const program = here.includes(join('bench', 'dist'))
      ? join(here, 'kubeloom-configmap.js')
      : join(here, '..', 'dist', 'kcp', 'kubeloom-configmap.js');
    if (!existsSync(program)) throw new Error(`${program} is missing; run pnpm run build:bench first`);
    const args = ['--expose-gc', program];
    if (options.http1)
      specs.push({
        name: 'kubeloom-http1',
        cmd: process.execPath,
        args,
        env: { ...env, KUBELOOM_HTTP2: '0' },
        reportsHeapOnSignal: true,
      });
    specs.push({ name: 'kubeloom', cmd: process.execPath, args, env, reportsHeapOnSignal: true });
  }
  return specs;
}

/** Runs one program against export `bench-<n>` and measures it (see the file comment). */
export async function measureProgram(
  bench: BenchKcp,
  n: number,
  spec: ProgramSpec,
  scenario: Scenario,
): Promise<Figures> {
  const { kcp } = bench;
  const bound = bench.consumers(0, n);
  const spares = bench.consumers(n, n + scenario.binds);
  for (const ws of spares) await bench.unbind(ws, n);
  const clusters = new Set(bound.map((w) => w.clusterName));
  const port = Number(new URL(kcp.baseUrl).port);
  const watchesBefore = await openWatches(kcp);
  log(`${spec.name} at ${n}: starting`);
  const program = new ProgramUnderTest(spec.cmd, [...spec.args, '--endpointslice', exportFor(n)], spec.env);
  try {
    await waitFor(() => program.reconciledAmong(clusters) === clusters.size, {
      what: `${spec.name} to reconcile every one of ${n} workspaces`,
      timeoutMs: 600_000,
      intervalMs: 20,
      describe: () => `${program.reconciledAmong(clusters)} reconciled; its last lines:\n${program.tail}`,
    });
    const allAt = performance.now();
    const cpuToAll = program.cpuSeconds();
    log(`${spec.name} at ${n}: all reconciled after ${((allAt - program.startedAt) / 1000).toFixed(2)} s`);
    await sleep(2000);
    const rss = program.rssMiB();
    const heap = await program.heapMiB(spec.reportsHeapOnSignal);
    const connections = program.connectionsTo(port);
    const watches = watchesAdded(watchesBefore, await openWatches(kcp));

    const settleS = await settle(program);
    const idleFrom = program.cpuSeconds();
    await sleep(scenario.idleS * 1000);
    const idleCpu = program.cpuSeconds() - idleFrom;

    // Writes at a steady rate, each to its own workspace, not waiting for the previous one.
    const writesStarted = performance.now();
    const writes = await Promise.all(
      Array.from({ length: scenario.writes }, async (_, i) => {
        await sleep(writesStarted + (i * 1000) / scenario.writeRatePerS - performance.now());
        const ws = bound[i % bound.length] as KcpWorkspace;
        const at = performance.now();
        await kcp
          .clientFor(ws.path)
          .patch(
            ConfigMapResource,
            SEED_CONFIGMAP,
            { data: { write: `${spec.name}-${Date.now()}-${i}` } },
            { namespace: 'default' },
          );
        const seen = await waitFor(() => program.reconciledAfter(ws.clusterName, at), {
          what: `${spec.name} to reconcile a write in ${ws.path}`,
          timeoutMs: 60_000,
          intervalMs: 5,
          describe: () => program.tail,
        });
        return seen - at;
      }),
    );

    const binds: number[] = [];
    for (const ws of spares) {
      const at = performance.now();
      await bench.bind(ws, n);
      const seen = await waitFor(() => program.reconciledAfter(ws.clusterName, at), {
        what: `${spec.name} to reconcile newly bound ${ws.path}`,
        timeoutMs: 120_000,
        intervalMs: 5,
        describe: () => program.tail,
      });
      binds.push(seen - at);
    }
    return {
      startToFirstLineS: ((program.firstLineAt ?? allAt) - program.startedAt) / 1000,
      startToAllReconciledS: (allAt - program.startedAt) / 1000,
      cpuToAllReconciledS: cpuToAll,
      cpuTotalS: program.cpuSeconds(),
      rssAfterSyncMiB: rss,
      heapAfterSyncMiB: heap ?? null,
      settleS,
      idleCpuS: idleCpu,
      bindToReconcileMs: { p50: percentile(binds, 50), p99: percentile(binds, 99), samples: binds },
      writeToReconcileMs: { p50: percentile(writes, 50), p99: percentile(writes, 99), samples: writes },
      connectionsToKcp: connections,
      watches,
      watchesTotal: Object.values(watches).reduce((a, b) => a + b, 0),
    };
  } finally {
    await program.stop();
    for (const ws of spares) await bench.unbind(ws, n);
  }
}

/** Every program at `n` workspaces, one after the other. */
export async function sideBySide(
  bench: BenchKcp,
  n: number,
  specs: ProgramSpec[],
  scenario: Scenario,
): Promise<Record<string, Figures>> {
  const results: Record<string, Figures> = {};
  for (const spec of specs) {
    results[spec.name] = await measureProgram(bench, n, spec, scenario);
    const { bindToReconcileMs: b, writeToReconcileMs: w, ...rest } = results[spec.name] as Figures;
    log(`${spec.name} at ${n}: ${JSON.stringify({ ...rest, bindP99: b.p99, writeP99: w.p99 })}`);
  }
  return results;
}

/** The figures of one N as a Markdown table: Go, kubeloom, kubeloom/Go (and HTTP/1.1 when measured). */
export function comparisonTable(n: number, results: Record<string, Figures>, scenario: Scenario): string {
  const http1 = 'kubeloom-http1' in results;
  const row = (label: string, pick: (f: Figures) => number | null, digits = 2): string => {
    const cell = (name: string): number => {
      const f = results[name];
      return f ? (pick(f) ?? Number.NaN) : Number.NaN;
    };
    const go = cell('go');
    const kl = cell('kubeloom');
    const h1 = cell('kubeloom-http1');
    const ratio = (x: number): string => (Number.isFinite(x / go) ? (x / go).toFixed(1) : '–');
    const h1Cells = http1 ? ` ${h1.toFixed(digits)} | ${ratio(h1)} |` : '';
    return `| ${label} | ${go.toFixed(digits)} | ${kl.toFixed(digits)} | ${ratio(kl)} |${h1Cells}`;
  };
  return [
    `${n} bound workspaces, ${scenario.idleS} s idle window, ${scenario.writes} writes at ${scenario.writeRatePerS}/s, ${scenario.binds} binds; Node ${process.version}`,
    '',
    `| figure | Go mcp ${MCP_VERSION} | kubeloom (HTTP/2) | kubeloom/Go |${http1 ? ' kubeloom (HTTP/1.1) | HTTP/1.1 / Go |' : ''}`,
    `| --- | --- | --- | --- |${http1 ? ' --- | --- |' : ''}`,
    row('process start → first output line (s)', (f) => f.startToFirstLineS),
    row(`process start → all ${n} reconciled (s)`, (f) => f.startToAllReconciledS),
    row('CPU to get there (s)', (f) => f.cpuToAllReconciledS),
    row('RSS after sync (MiB)', (f) => f.rssAfterSyncMiB, 0),
    row('heap after sync (MiB)', (f) => f.heapAfterSyncMiB, 1),
    row('settled after (s)', (f) => f.settleS, 1),
    row(`CPU over ${scenario.idleS} s idle (s)`, (f) => f.idleCpuS, 3),
    row('bind → first reconcile p50 (ms)', (f) => f.bindToReconcileMs.p50, 0),
    row('bind → first reconcile p99 (ms)', (f) => f.bindToReconcileMs.p99, 0),
    row('write → reconcile p50 (ms)', (f) => f.writeToReconcileMs.p50, 0),
    row('write → reconcile p99 (ms)', (f) => f.writeToReconcileMs.p99, 0),
    row('open watch requests on kcp', (f) => f.watchesTotal, 0),
    row('TCP connections to kcp', (f) => f.connectionsToKcp, 0),
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      workspaces: { type: 'string', default: '20' },
      idle: { type: 'string', default: '60' },
      binds: { type: 'string', default: '10' },
      writes: { type: 'string', default: '20' },
      rate: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '16' },
      only: { type: 'string' },
      http1: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.workspaces);
  const scenario: Scenario = {
    idleS: Number(values.idle),
    writes: Number(values.writes),
    writeRatePerS: Number(values.rate),
    binds: Number(values.binds),
  };
  const bench = await BenchKcp.open({ log });
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-bench-'));
  try {
    const concurrency = Number(values.concurrency);
    await bench.ensureConsumers(n + scenario.binds, concurrency);
    await bench.ensureExport(n, concurrency);
    const specs = await programSpecs(bench, dir, {
      ...(values.only ? { only: values.only } : {}),
      http1: values.http1,
    });
    await bench.settle();
    console.log(comparisonTable(n, await sideBySide(bench, n, specs, scenario), scenario));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await bench.stop();
  }
}
