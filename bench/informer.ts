/**
 * Informer benchmark: objects/s through list or watch into the cache, and heap bytes per cached object, for
 * kubeloom's SharedInformer, @kubernetes/client-node's informer, and a bare "JSON.parse into a Map" floor —
 * all fed the same objects by a FakeApiServer in another process. Two scenarios: `watch` (the objects
 * arrive as watch events) and `list` (they exist before the informer starts: what every controller pays
 * at startup).
 *
 *   pnpm --filter @kubeloom/bench informer            # 100k ConfigMaps of ~1 KiB, 3 runs each
 *   pnpm --filter @kubeloom/bench informer -- 20000 1 # smaller
 *
 * "CPU events/s" divides by the consumer's own CPU time (user+system), which is what one core can do
 * whatever the machine is busy with; "wall events/s" also includes waiting for the server.
 * Each row is also appended as a JSON line, with the machine's facts, to bench/scale/results/informer.jsonl.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineFacts, recordLine } from './scale/machine.ts';

const objects = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 3);
const impls = ['json-parse-into-map', 'client-node', 'kubeloom'];
const here = import.meta.dirname;

interface Result {
  wallMs: number;
  cpuMs: number;
  heapBytes: number;
  jsonBytes: number;
}

function waitFor<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>): void => {
      if (message[key]) {
        child.off('message', onMessage);
        resolve(message as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${key}: child exited with ${code}`)));
  });
}

async function runOnce(impl: string, scenario: 'watch' | 'list'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const preload = scenario === 'list' ? objects : 0;
  const server = fork(join(here, 'informer', 'server.ts'), [kubeconfig, String(preload)], {
    stdio: 'inherit',
  });
  try {
    const ready = await waitFor<{ jsonBytes: number }>(server, 'ready');
    const consumer = fork(
      join(here, 'informer', 'consumer.ts'),
      [impl, kubeconfig, String(objects), scenario],
      {
        stdio: 'inherit',
        execArgv: ['--expose-gc', '--max-old-space-size=8192'],
      },
    );
    const done = waitFor<{ wallMs: number; cpuMs: number; heapBytes: number }>(consumer, 'done');
    if (scenario === 'list') return { ...(await done), jsonBytes: ready.jsonBytes };
    await waitFor(consumer, 'synced');
    server.send({ emit: objects });
    const { jsonBytes } = await waitFor<{ jsonBytes: number }>(server, 'emitted');
    const result = await done;
    return { ...result, jsonBytes };
  } finally {
    server.send({ stop: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const machine = machineFacts();
const lines: Array<Record<string, unknown>> = [];
console.log(
  `informer benchmark: ${objects} ConfigMaps of ~1 KiB, median of ${runs} runs, node ${process.version}`,
);
for (const scenario of ['watch', 'list'] as const) {
  console.log(
    `\n${scenario === 'watch' ? 'objects arriving as watch events' : 'initial list (objects exist before the informer starts)'}`,
  );
  console.log('implementation       CPU objects/s  wall objects/s   heap/object   heap / JSON size');
  for (const impl of impls) {
    const results: Result[] = [];
    for (let i = 0; i < runs; i++) results.push(await runOnce(impl, scenario));
    const cpuRate = median(results.map((r) => (objects / r.cpuMs) * 1000));
    const wallRate = median(results.map((r) => (objects / r.wallMs) * 1000));
    const perObject = median(results.map((r) => r.heapBytes / objects));
    const ratio = median(results.map((r) => r.heapBytes / r.jsonBytes));
    lines.push({
      bench: 'informer',
      runId: machine.at,
      implementation: impl,
      scenario,
      objects,
      runs,
      cpuObjectsPerS: Math.round(cpuRate),
      wallObjectsPerS: Math.round(wallRate),
      heapBytesPerObject: Math.round(perObject),
      heapToJsonRatio: Math.round(ratio * 100) / 100,
      machine: { ...machine, loadAfter: machineFacts().load },
    });
    console.log(
      `${impl.padEnd(20)} ${Math.round(cpuRate).toLocaleString('en').padStart(13)} ${Math.round(wallRate).toLocaleString('en').padStart(15)} ${`${Math.round(perObject)} B`.padStart(13)} ${ratio.toFixed(2).padStart(17)}x`,
    );
  }
}
console.log('');
for (const line of lines) recordLine('informer.jsonl', line);
