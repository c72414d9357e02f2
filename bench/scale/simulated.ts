/**
 * Simulated scale: kubeloom's APIExportProvider and a ConfigMap controller against a FakeApiServer that
 * serves N logical clusters through `/clusters/*` behind an APIExport-shaped endpoint slice (one Ready
 * APIBinding and one ConfigMap per cluster) — past what one kcp on a small machine holds.
 *
 *   node bench/scale/simulated.ts                       # N = 1,000, 10,000, 100,000
 *   node bench/scale/simulated.ts --clusters 1000,10000 --events 1000 --bursts 3
 *   node bench/scale/simulated.ts --clusters 10000 --no-record       # print only, e.g. while tuning
 *
 * For each N, in fresh child processes (server and controller apart, so heap and CPU are the controller's):
 * start → every workspace engaged, → every workspace reconciled once, CPU to get there; heap after GC minus
 * that of the same two wildcard informers with no workspace engaged, divided by N (heap per engaged
 * workspace beyond its cached objects); then `--bursts` bursts of `--events` ConfigMap changes spread over
 * the fleet: wall time and controller CPU until all are reconciled, per event (must not grow with N).
 * `--profile <dir>` writes a CPU profile of the provider's process there, and with `--heap-snapshot` a heap
 * snapshot after every workspace was reconciled once (such a run is slowed by the profiler, so it is not
 * recorded).
 * Appends JSON lines to bench/scale/results/simulated.jsonl, redraws the charts and prints a table;
 * `--no-record` only prints.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drawCharts } from './charts.ts';
import { machineFacts, recordLine, table } from './machine.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000,10000,100000' },
    events: { type: 'string', default: '1000' },
    bursts: { type: 'string', default: '3' },
    /** Write a CPU profile of the provider's process into this directory. */
    profile: { type: 'string' },
    /** With --profile: also a heap snapshot once every workspace was reconciled. */
    'heap-snapshot': { type: 'boolean', default: false },
    /** Append the rows to results/simulated.jsonl and redraw the charts (not for profiled runs). */
    record: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const record = values.record && !values.profile;
const sizes = values.clusters.split(',').map(Number);
const events = Number(values.events);
const bursts = Number(values.bursts);
const here = import.meta.dirname;
if (values.profile) mkdirSync(values.profile, { recursive: true });

function message<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`simulated scale: ${key} never came, the child process exited with ${code}`));
    const onMessage = (m: Record<string, unknown>): void => {
      if (!m[key]) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const childArgv = ['--expose-gc', '--max-old-space-size=6144'];
const spawn = (file: string, args: string[], profile = false): ChildProcess =>
  fork(join(here, file), args, {
    stdio: 'inherit',
    execArgv:
      profile && values.profile
        ? [...childArgv, '--cpu-prof', `--cpu-prof-dir=${values.profile}`]
        : childArgv,
    env:
      profile && values.profile && values['heap-snapshot']
        ? { ...process.env, KUBELOOM_SCALE_HEAP_SNAPSHOT: values.profile }
        : process.env,
  });

interface Row {
  clusters: number;
  allEngagedMs: number;
  reconciledMs: number;
  startupCpuMs: number;
  heapPerWorkspaceBytes: number;
  burstWallUsPerEvent: number[];
  burstCpuUsPerEvent: number[];
}

async function measure(clusters: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-scale-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = spawn('sim-server.ts', [kubeconfig, String(clusters)]);
  const children: ChildProcess[] = [server];
  try {
    await message(server, 'ready');
    const base = spawn('sim-controller.ts', ['informers', kubeconfig, String(clusters)]);
    children.push(base);
    const baseline = await message<{ heapBytes: number }>(base, 'baseline');
    base.send({ stop: true });
    const controller = spawn('sim-controller.ts', ['provider', kubeconfig, String(clusters)], true);
    children.push(controller);
    const engaged = await message<{
      allEngagedMs: number;
      reconciledMs: number;
      startupCpuMs: number;
      heapBytes: number;
    }>(controller, 'engaged');
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 1; round <= bursts; round++) {
      const expecting = message(controller, 'expecting');
      controller.send({ expect: { round, events: Math.min(events, clusters) } });
      await expecting;
      const done = message<{ doneAt: number; cpuMs: number }>(controller, 'burstDone');
      server.send({ burst: { round, events } });
      const sent = await message<{ sentAt: number; events: number }>(server, 'burstSent');
      const result = await done;
      wall.push(Math.round(((result.doneAt - sent.sentAt) * 1000) / sent.events));
      cpu.push(Math.round((result.cpuMs * 1000) / sent.events));
    }
    const exited = new Promise((resolve) => controller.once('exit', resolve));
    controller.send({ stop: true });
    // Let it exit on its own: that is when --cpu-prof writes the profile.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    return {
      clusters,
      allEngagedMs: engaged.allEngagedMs,
      reconciledMs: engaged.reconciledMs,
      startupCpuMs: Math.round(engaged.startupCpuMs),
      heapPerWorkspaceBytes: Math.round((engaged.heapBytes - baseline.heapBytes) / clusters),
      burstWallUsPerEvent: wall,
      burstCpuUsPerEvent: cpu,
    };
  } finally {
    server.send({ stop: true });
    for (const child of children) if (child.exitCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const machine = machineFacts();
const runId = machine.at;
console.log(
  `simulated scale: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.load.join(' ')}, node ${machine.node}, commit ${machine.commit}`,
);
const rows: Row[] = [];
for (const clusters of sizes) {
  const row = await measure(clusters);
  rows.push(row);
  const line = {
    bench: 'simulated',
    runId,
    implementation: 'kubeloom',
    ...row,
    events,
    machine: { ...machine, loadAfter: machineFacts().load },
  };
  if (record) recordLine('simulated.jsonl', line);
  else console.log(JSON.stringify(line));
}
const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `\n${table(
    [
      'workspaces',
      'all engaged',
      'all reconciled once',
      'startup CPU',
      'heap / workspace',
      `wall / event (${events}-event bursts)`,
      'CPU / event',
    ],
    rows.map((r) => [
      r.clusters.toLocaleString('en'),
      `${(r.allEngagedMs / 1000).toFixed(2)} s`,
      `${(r.reconciledMs / 1000).toFixed(2)} s`,
      `${(r.startupCpuMs / 1000).toFixed(1)} s`,
      `${(r.heapPerWorkspaceBytes / 1024).toFixed(2)} KiB`,
      `${median(r.burstWallUsPerEvent)} µs`,
      `${median(r.burstCpuUsPerEvent)} µs`,
    ]),
  )}`,
);
if (record) await drawCharts();
