/**
 * Real kcp at scale, beside Go: the side-by-side benchmark (bench/kcp/side-by-side.ts) at each fleet size
 * N of `--workspaces` on the persistent bench kcp (bench/kcp/bench-kcp.ts: workspaces are created once,
 * later runs only top up), recorded as JSON lines in bench/scale/results/real-kcp.jsonl with the machine's
 * facts and load, with a table of every figure and its kubeloom/Go ratio.
 *
 *   node bench/scale/real-kcp.ts --workspaces 100,300,1000
 *
 * Needs `pnpm run build:bench` (the kubeloom program runs compiled, on the bundled packages) and Go ≥ 1.24 unless the Go program is cached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchKcp, type TopUp } from '../kcp/bench-kcp.ts';
import { MCP_VERSION } from '../kcp/go-program.ts';
import {
  type Figures,
  type Scenario,
  comparisonTable,
  programSpecs,
  sideBySide,
} from '../kcp/side-by-side.ts';
import { machineFacts, recordLine, table } from './machine.ts';

/** Options for {@link runRealKcp}. */
export interface RealKcpOptions {
  /** Fleet sizes, smallest first. */
  steps: number[];
  scenario: Scenario;
  /** Workspace creations (and bindings) in flight while topping up the fleet. */
  concurrency: number;
  /** `go` or `kubeloom` to run one program only. */
  only?: string;
  http1?: boolean;
  /** Only create the workspaces and bindings the steps need; measure nothing. */
  prepareOnly?: boolean;
  log: (line: string) => void;
}

/** The JSON line recorded per program and N. */
export interface RealKcpLine extends Figures {
  bench: 'real-kcp';
  runId: string;
  implementation: string;
  clusters: number;
  reconciledMs: number;
  startupCpuMs: number;
  rssMiB: number;
  rssPerWorkspaceKiB: number;
  heapPerWorkspaceKiB: number | null;
  /** kubeloom/Go for each numeric figure (on kubeloom's lines). */
  ratioToGo?: Record<string, number>;
  scenario: Scenario;
  goProgram: string;
  kcp: { startupS: number; topUps: TopUp[] };
  machine: ReturnType<typeof machineFacts> & { loadAfter: number[]; uptimeAfter: string };
}

/** As charts.ts groups lines (the Go program's version is in `goProgram`). */
const implementationName = (program: string): string =>
  program === 'go' ? 'Go multicluster-provider' : program;

/** The figures compared in ratios and in the summary table. */
const FIGURES: Array<[string, (l: RealKcpLine) => number | null]> = [
  ['startToAllReconciledS', (l) => l.startToAllReconciledS],
  ['cpuToAllReconciledS', (l) => l.cpuToAllReconciledS],
  ['cpuTotalS', (l) => l.cpuTotalS],
  ['rssAfterSyncMiB', (l) => l.rssAfterSyncMiB],
  ['heapAfterSyncMiB', (l) => l.heapAfterSyncMiB],
  ['settleS', (l) => l.settleS ?? null],
  ['idleCpuS', (l) => l.idleCpuS],
  ['bindP50Ms', (l) => l.bindToReconcileMs.p50],
  ['bindP99Ms', (l) => l.bindToReconcileMs.p99],
  ['writeP50Ms', (l) => l.writeToReconcileMs.p50],
  ['writeP99Ms', (l) => l.writeToReconcileMs.p99],
  ['watchesTotal', (l) => l.watchesTotal],
  ['connectionsToKcp', (l) => l.connectionsToKcp],
];

/** Tops up the fleet, runs every program at every N, records and prints the results. */
export async function runRealKcp(options: RealKcpOptions): Promise<RealKcpLine[]> {
  const { steps, scenario, concurrency, log } = options;
  const machine = machineFacts();
  const bench = await BenchKcp.open({ log });
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-scale-kcp-'));
  const lines: RealKcpLine[] = [];
  const topUps: TopUp[] = [];
  try {
    const specs = options.prepareOnly
      ? []
      : await programSpecs(bench, dir, {
          ...(options.only ? { only: options.only } : {}),
          http1: options.http1 ?? false,
        });
    for (const n of steps) {
      // Step by step, so an interrupted top-up has finished the smaller fleets.
      const created = await bench.ensureConsumers(n + scenario.binds, concurrency);
      if (created) topUps.push(created);
      const bound = await bench.ensureExport(n, concurrency);
      if (bound) topUps.push(bound);
      if (options.prepareOnly) continue;
      await bench.settle();
      const results = await sideBySide(bench, n, specs, scenario);
      console.log(`\n${comparisonTable(n, results, scenario)}\n`);
      const atN: RealKcpLine[] = Object.entries(results).map(([program, f]) => ({
        bench: 'real-kcp',
        runId: machine.at,
        implementation: implementationName(program),
        clusters: n,
        ...f,
        reconciledMs: Math.round(f.startToAllReconciledS * 1000),
        startupCpuMs: Math.round(f.cpuToAllReconciledS * 1000),
        rssMiB: f.rssAfterSyncMiB,
        rssPerWorkspaceKiB: Math.round((f.rssAfterSyncMiB * 1024) / n),
        heapPerWorkspaceKiB:
          f.heapAfterSyncMiB === null ? null : Math.round(((f.heapAfterSyncMiB * 1024) / n) * 10) / 10,
        scenario,
        goProgram: `github.com/kcp-dev/multicluster-provider ${MCP_VERSION} examples/apiexport`,
        kcp: { startupS: Math.round(bench.kcp.startupMs / 100) / 10, topUps },
        machine: { ...machine, loadAfter: machineFacts().load, uptimeAfter: machineFacts().uptime },
      }));
      const go = atN.find((l) => l.implementation.startsWith('Go'));
      for (const line of atN) {
        if (go && line !== go && line.implementation.startsWith('kubeloom')) {
          line.ratioToGo = {};
          for (const [name, pick] of FIGURES) {
            const a = pick(line);
            const b = pick(go);
            if (a !== null && b) line.ratioToGo[name] = Math.round((a / b) * 100) / 100;
          }
        }
        recordLine('real-kcp.jsonl', line as unknown as Record<string, unknown>, false);
      }
      console.log(`(recorded as JSON lines, every sample included, in bench/scale/results/real-kcp.jsonl)`);
      lines.push(...atN);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await bench.stop();
  }
  if (lines.length > 0) console.log(`\n${summaryTable(lines)}`);
  for (const t of topUps)
    console.log(
      `fleet top-up: ${t.to - t.from} ${t.what}${t.exportName ? ` (${t.exportName})` : ''} in ${t.seconds} s, ${t.perSecond}/s with ${t.concurrency} in flight, load ${t.load.join(' ')}`,
    );
  return lines;
}

/**
 * One row per program and N: start → all reconciled, CPU, RSS and heap per workspace, bind and write p99,
 * watches; then each program's marginal RSS and heap per workspace between the smallest and the largest N.
 */
export function summaryTable(lines: RealKcpLine[]): string {
  const rows = lines.map((l) => [
    l.implementation,
    l.clusters,
    `${l.startToAllReconciledS.toFixed(2)} s`,
    `${l.cpuToAllReconciledS.toFixed(2)} s`,
    `${l.rssPerWorkspaceKiB} KiB`,
    l.heapPerWorkspaceKiB === null ? '-' : `${l.heapPerWorkspaceKiB} KiB`,
    `${Math.round(l.bindToReconcileMs.p99)} ms`,
    `${Math.round(l.writeToReconcileMs.p99)} ms`,
    l.watchesTotal,
    l.ratioToGo ? `${l.ratioToGo.startToAllReconciledS} / ${l.ratioToGo.rssAfterSyncMiB}` : '',
  ]);
  const marginal: string[] = [];
  for (const impl of new Set(lines.map((l) => l.implementation))) {
    const mine = lines.filter((l) => l.implementation === impl).toSorted((a, b) => a.clusters - b.clusters);
    const [first, last] = [mine[0], mine.at(-1)];
    if (!first || !last || first.clusters === last.clusters) continue;
    const perAdded = (pick: (l: RealKcpLine) => number | null): string => {
      const [a, b] = [pick(first), pick(last)];
      return a === null || b === null
        ? '-'
        : (((b - a) * 1024) / (last.clusters - first.clusters)).toFixed(0);
    };
    marginal.push(
      `${impl}: ${perAdded((l) => l.rssAfterSyncMiB)} KiB RSS and ${perAdded((l) => l.heapAfterSyncMiB)} KiB heap per added workspace (${first.clusters} → ${last.clusters})`,
    );
  }
  return [
    table(
      [
        'program',
        'N',
        'start → all reconciled',
        'CPU',
        'RSS / ws',
        'heap / ws',
        'bind p99',
        'write p99',
        'watches',
        'kubeloom/Go time / RSS',
      ],
      rows,
    ),
    ...marginal,
  ].join('\n');
}

/** Parses the real-kcp flags shared by this script and bench/run.ts. */
export function realKcpOptions(
  values: Record<string, string | boolean | undefined>,
): Omit<RealKcpOptions, 'log'> {
  return {
    steps: String(values.workspaces)
      .split(',')
      .map(Number)
      .toSorted((a, b) => a - b),
    scenario: {
      idleS: Number(values.idle),
      writes: Number(values.writes),
      writeRatePerS: Number(values.rate),
      binds: Number(values.binds),
    },
    concurrency: Number(values.concurrency),
    prepareOnly: values.prepare === true,
    ...(typeof values.program === 'string' ? { only: values.program } : {}),
    http1: values.http1 === true,
  };
}

/** The real-kcp flags with their defaults. */
export const REAL_KCP_FLAGS = {
  workspaces: { type: 'string', default: '100,300,1000' },
  idle: { type: 'string', default: '10' },
  binds: { type: 'string', default: '10' },
  writes: { type: 'string', default: '100' },
  rate: { type: 'string', default: '10' },
  concurrency: { type: 'string', default: '16' },
  http1: { type: 'boolean', default: false },
  /** `go` or `kubeloom`: run only that program. */
  program: { type: 'string' },
  /** Create the fleet's workspaces and bindings, measure nothing. */
  prepare: { type: 'boolean', default: false },
} as const;

const log = (msg: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

if (import.meta.main) {
  const { values } = parseArgs({ options: REAL_KCP_FLAGS });
  const lines = await runRealKcp({ ...realKcpOptions(values), log });
  if (lines.length > 0) {
    const { drawCharts } = await import('./charts.ts');
    await drawCharts();
  }
}
