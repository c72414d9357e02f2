/**
 * `./run bench`: every benchmark in one command, in minutes once the bench kcp's workspaces exist.
 *
 *   ./run bench                                  # all three parts with their quick defaults
 *   ./run bench --only real-kcp --workspaces 100,300,1000
 *   ./run bench --only simulated,informer
 *
 * Parts (`--only`, comma-separated; default all, in this order):
 * - `real-kcp`: kubeloom beside kcp's Go multicluster-provider on the persistent bench kcp at each N of
 *   `--workspaces` (bench/scale/real-kcp.ts; flags `--idle --binds --writes --rate --concurrency --http1
 *   --program`);
 * - `simulated`: the FakeApiServer serving `--sim-clusters` logical clusters (bench/scale/simulated.ts,
 *   `--sim-bursts` bursts of 1,000 events);
 * - `informer`: objects/s into the cache and heap per object (bench/informer.ts, `--informer-objects`,
 *   `--informer-runs`).
 * Each part appends JSON lines with the machine's facts to bench/scale/results/; the SVG charts in
 * docs/benchmarks/ are redrawn at the end.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drawCharts } from './scale/charts.ts';
import { machineFacts } from './scale/machine.ts';
import { REAL_KCP_FLAGS, realKcpOptions, runRealKcp } from './scale/real-kcp.ts';

const PARTS = ['real-kcp', 'simulated', 'informer'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: PARTS.join(',') },
    ...REAL_KCP_FLAGS,
    'sim-clusters': { type: 'string', default: '1000,10000' },
    'sim-bursts': { type: 'string', default: '1' },
    'informer-objects': { type: 'string', default: '20000' },
    'informer-runs': { type: 'string', default: '1' },
  },
});
const parts = values.only.split(',');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`--only ${part}: not a part of the benchmark; use any of ${PARTS.join(', ')}`);

const log = (msg: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const started = performance.now();
const before = machineFacts();
console.log(`kubeloom benchmarks (${parts.join(', ')}) at ${before.commit}; ${before.uptime}`);

/** Runs another benchmark script in a child Node process, failing with its exit status. */
function runScript(file: string, args: string[]): void {
  log(`node ${file} ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [join(import.meta.dirname, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0)
    throw new Error(`bench/${file} failed (exit ${run.status}); its output above says why`);
}

if (parts.includes('real-kcp')) await runRealKcp({ ...realKcpOptions(values), log });
if (parts.includes('simulated'))
  runScript('scale/simulated.ts', ['--clusters', values['sim-clusters'], '--bursts', values['sim-bursts']]);
if (parts.includes('informer'))
  runScript('informer.ts', [values['informer-objects'], values['informer-runs']]);
await drawCharts();
console.log(
  `\nbenchmarks done in ${((performance.now() - started) / 60_000).toFixed(1)} min; ${machineFacts().uptime}`,
);
