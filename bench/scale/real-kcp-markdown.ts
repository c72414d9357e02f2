/**
 * The Markdown table docs/benchmarks.md quotes for the real-kcp scale benchmark, from the JSON lines of one
 * run in bench/scale/results/real-kcp.jsonl (default: the newest run): every figure per N, Go beside
 * kubeloom with kubeloom/Go.
 *
 *   node bench/scale/real-kcp-markdown.ts [runId]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './machine.ts';
import type { RealKcpLine } from './real-kcp.ts';

type Pick = (l: RealKcpLine) => number | null;

const ROWS: Array<[string, Pick, number]> = [
  ['process start → all N reconciled (s)', (l) => l.startToAllReconciledS, 2],
  ['CPU to get there (s)', (l) => l.cpuToAllReconciledS, 2],
  ['CPU, whole run (s)', (l) => l.cpuTotalS, 2],
  ['RSS after sync (MiB)', (l) => l.rssAfterSyncMiB, 0],
  ['heap after sync (MiB)', (l) => l.heapAfterSyncMiB, 1],
  ['bind → first reconcile p50 (ms)', (l) => l.bindToReconcileMs.p50, 0],
  ['bind → first reconcile p99 (ms)', (l) => l.bindToReconcileMs.p99, 0],
  ['write → reconcile p50 (ms)', (l) => l.writeToReconcileMs.p50, 0],
  ['write → reconcile p99 (ms)', (l) => l.writeToReconcileMs.p99, 0],
  ['open watch requests on kcp', (l) => l.watchesTotal, 0],
  ['TCP connections to kcp', (l) => l.connectionsToKcp, 0],
];

const fmt = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined ? '–' : x.toFixed(digits);

/** The run's lines as a Markdown table with one Go / kubeloom / ratio column group per N. */
export function realKcpMarkdown(lines: RealKcpLine[]): string {
  const sizes = [...new Set(lines.map((l) => l.clusters))].toSorted((a, b) => a - b);
  const at = (n: number, go: boolean): RealKcpLine | undefined =>
    lines.find((l) => l.clusters === n && l.implementation.startsWith('Go') === go);
  const header = `| figure | ${sizes.map((n) => `${n}: Go | ${n}: kubeloom | ${n}: kubeloom/Go`).join(' | ')} |`;
  const rule = `| --- | ${sizes.map(() => '--- | --- | ---').join(' | ')} |`;
  const body = ROWS.map(([label, pick, digits]) => {
    const cells = sizes.map((n) => {
      const [g, k] = [at(n, true), at(n, false)].map((l) => (l ? pick(l) : null));
      const ratio = g && k !== null && k !== undefined ? (k / g).toFixed(2) : '–';
      return `${fmt(g, digits)} | ${fmt(k, digits)} | ${ratio}`;
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...body].join('\n');
}

if (import.meta.main) {
  const all = readFileSync(join(resultsDir, 'real-kcp.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RealKcpLine);
  const runId = process.argv[2] ?? all.at(-1)?.runId;
  const run = all.filter((l) => l.runId === runId);
  if (run.length === 0) throw new Error(`no lines of run ${runId} in ${resultsDir}/real-kcp.jsonl`);
  const m = run[0]?.machine;
  console.log(`run ${runId}, commit ${m?.commit}; ${m?.uptime} → ${m?.uptimeAfter}\n`);
  console.log(realKcpMarkdown(run));
}
