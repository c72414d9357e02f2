/**
 * Draws the scale benchmark's curves as SVG from its JSON lines (the newest run of each implementation
 * and N), with vega-lite rendered headless: docs/benchmarks/scale-*.svg, embedded in docs/benchmarks.md.
 *
 *   node bench/scale/charts.ts
 *
 * simulated.ts, real-kcp.ts and run.ts (`./run bench`) call {@link drawCharts} after each run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { resultsDir } from './machine.ts';

interface Point {
  implementation: string;
  source: string;
  clusters: number;
  value: number;
}

const outDir = join(import.meta.dirname, '..', '..', 'docs', 'benchmarks');

/** The newest line for each (implementation, N) of a JSON lines file. */
function newest(file: string): Array<Record<string, unknown>> {
  const path = join(resultsDir, file);
  if (!existsSync(path)) return [];
  const byKey = new Map<string, Record<string, unknown>>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    byKey.set(`${String(row.implementation)} ${String(row.clusters)}`, row);
  }
  return [...byKey.values()];
}

const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const points = (
  rows: Array<Record<string, unknown>>,
  source: string,
  pick: (row: Record<string, unknown>) => number,
): Point[] =>
  rows
    .map((row) => ({
      implementation: String(row.implementation),
      source,
      clusters: Number(row.clusters),
      value: pick(row),
    }))
    .filter((p) => Number.isFinite(p.value));

async function render(
  name: string,
  title: string,
  yTitle: string,
  data: Point[],
  target?: number,
): Promise<void> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 240,
    background: 'white',
    config: { legend: { labelLimit: 320 } },
    layer: [
      {
        data: { values: data },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'clusters',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'workspaces (log scale)',
          },
          y: { field: 'value', type: 'quantitative', title: yTitle },
          color: { field: 'implementation', type: 'nominal', title: null },
          strokeDash: { field: 'source', type: 'nominal', title: null },
        },
      },
      ...(target === undefined
        ? []
        : [
            {
              data: { values: [{ target, label: 'target' }] },
              mark: { type: 'rule', color: '#c00', strokeDash: [4, 4] },
              encoding: { y: { field: 'target', type: 'quantitative' } },
            },
          ]),
    ],
  };
  const compiled = vegaLite.compile(spec as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(join(outDir, `${name}.svg`), `${svg}\n`);
  console.log(`wrote docs/benchmarks/${name}.svg`);
}

/** Redraws every chart from the JSON lines recorded so far. */
export async function drawCharts(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const simulated = newest('simulated.jsonl');
  const real = newest('real-kcp.jsonl');
  if (simulated.length + real.length === 0)
    throw new Error(
      `no results in ${resultsDir} yet: run bench/scale/simulated.ts or bench/scale/real-kcp.ts first`,
    );
  const SIM = 'simulated (FakeApiServer)';
  const KCP = 'real kcp';
  await render(
    'scale-engage',
    'Controller start → every workspace engaged and reconciled once',
    'seconds',
    [
      ...points(simulated, SIM, (r) => Number(r.reconciledMs) / 1000),
      ...points(real, KCP, (r) => Number(r.reconciledMs) / 1000),
    ],
    60,
  );
  await render(
    'scale-heap',
    'Heap per engaged workspace beyond its cached objects',
    'KiB',
    points(simulated, SIM, (r) => Number(r.heapPerWorkspaceBytes) / 1024),
    10,
  );
  if (real.length > 0) {
    await render('scale-rss', 'Memory per workspace on a real kcp (after sync, divided by N)', 'KiB', [
      ...points(real, 'RSS / N', (r) => Number(r.rssPerWorkspaceKiB)),
      ...points(real, 'heap / N', (r) => Number(r.heapPerWorkspaceKiB ?? Number.NaN)),
    ]);
    const latencies = [
      ['scale-kcp-bind', 'workspace bound while running → first reconcile', 'bindToReconcileMs', 250],
      [
        'scale-kcp-write',
        'ConfigMap change → reconcile under a steady write rate',
        'writeToReconcileMs',
        100,
      ],
    ] as const;
    for (const [name, what, field, target] of latencies) {
      const p99 = (r: Record<string, unknown>): number => (r[field] as { p99: number }).p99;
      await render(name, `Real kcp: ${what}, p99`, 'ms', points(real, KCP, p99), target);
    }
    await render(
      'scale-kcp-watches',
      'Real kcp: open watch requests the controller holds on kcp',
      'watches',
      points(real, KCP, (r) => Number(r.watchesTotal ?? Number.NaN)),
    );
  }
  await render(
    'scale-dispatch',
    'Controller CPU per change event (bursts spread over the fleet)',
    'µs CPU per event',
    points(simulated, SIM, (r) => median(r.burstCpuUsPerEvent as number[])),
  );
}

if (import.meta.main) await drawCharts();
