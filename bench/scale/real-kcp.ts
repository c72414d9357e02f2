/**
 * Real kcp at scale: runs the side-by-side benchmark (bench/kcp/side-by-side.ts: kcp's Go
 * multicluster-provider apiexport example and the same program on kubeloom, one after the other, against
 * the same kcp and the same N bound workspaces with one ConfigMap each) at a chosen N, and records its
 * figures as JSON lines beside the simulated ones, with the machine's facts and load.
 *
 *   KUBELOOM_KCP_KUBECONFIG=/path/to/admin.kubeconfig node bench/scale/real-kcp.ts --workspaces 100
 *
 * Without KUBELOOM_KCP_KUBECONFIG the side-by-side benchmark starts a kcp of its own. Needs `tsc -b bench`
 * (the kubeloom program runs compiled) and Go ≥ 1.24 unless the Go program is cached.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drawCharts } from './charts.ts';
import { machineFacts, recordLine, table } from './machine.ts';

const { values } = parseArgs({
  options: {
    workspaces: { type: 'string', default: '100' },
    idle: { type: 'string', default: '10' },
    binds: { type: 'string', default: '5' },
    writes: { type: 'string', default: '10' },
  },
});
const clusters = Number(values.workspaces);

/** The side-by-side benchmark's figures for one program (see its `--out`). */
interface Figures {
  startToAllReconciledS: number;
  cpuToAllReconciledS: number;
  rssAfterSyncMiB: number;
  bindToReconcileMs: { p50: number; p99: number };
  writeToReconcileMs: { p50: number; p99: number };
  connectionsToKcp: number;
}

const machine = machineFacts();
const dir = mkdtempSync(join(tmpdir(), 'kubeloom-scale-kcp-'));
const out = join(dir, 'side-by-side.json');
try {
  const run = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'kcp', 'side-by-side.ts'),
      '--workspaces',
      String(clusters),
      '--idle',
      values.idle,
      '--binds',
      values.binds,
      '--writes',
      values.writes,
      '--out',
      out,
    ],
    { stdio: 'inherit' },
  );
  if (run.status !== 0)
    throw new Error(`bench/kcp/side-by-side.ts failed (exit ${run.status}); its output above says why`);
  const { results } = JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, Figures> };
  const rows: Array<Array<string | number>> = [];
  for (const [implementation, f] of Object.entries(results)) {
    recordLine('real-kcp.jsonl', {
      bench: 'real-kcp',
      runId: machine.at,
      implementation: implementation === 'go' ? 'Go multicluster-provider' : implementation,
      clusters,
      reconciledMs: Math.round(f.startToAllReconciledS * 1000),
      startupCpuMs: Math.round(f.cpuToAllReconciledS * 1000),
      rssMiB: f.rssAfterSyncMiB,
      rssPerWorkspaceKiB: Math.round((f.rssAfterSyncMiB * 1024) / clusters),
      bindToReconcileMs: f.bindToReconcileMs,
      writeToReconcileMs: f.writeToReconcileMs,
      connectionsToKcp: f.connectionsToKcp,
      machine: { ...machine, loadAfter: machineFacts().load },
    });
    rows.push([
      implementation,
      `${f.startToAllReconciledS.toFixed(2)} s`,
      `${f.cpuToAllReconciledS.toFixed(2)} s`,
      `${f.rssAfterSyncMiB.toFixed(0)} MiB`,
      `${Math.round(f.bindToReconcileMs.p99)} ms`,
      `${Math.round(f.writeToReconcileMs.p99)} ms`,
      f.connectionsToKcp,
    ]);
  }
  console.log(
    `\n${clusters} workspaces, load ${machine.load.join(' ')}\n${table(
      ['program', 'start → all reconciled', 'CPU', 'RSS', 'bind p99', 'write p99', 'TCP to kcp'],
      rows,
    )}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
await drawCharts();
