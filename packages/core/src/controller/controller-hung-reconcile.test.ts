import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusControllerMetrics } from '../metrics/prometheus-controller-metrics.ts';
import type { Reconciler, Request } from '../reconcile/request.ts';
import { waitFor } from '../util/wait-for.ts';
import { memoryLogger, stubCluster } from './cluster-fixture.test.support.ts';
import { Controller, type ControllerOptions } from './controller.ts';
import { formatDuration } from './hung-reconcile-watch.ts';

const req = (name: string): Request => ({ cluster: 'c1', namespace: 'ns', name });
const until = (what: string, probe: () => boolean | Promise<boolean>) =>
  waitFor(async () => (await probe()) || undefined, { what, timeoutMs: 10_000, intervalMs: 5 });

/** The value of one series in the registry's Prometheus text. */
async function sample(registry: Registry, series: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done.catch(() => {});
  }
});

async function startController(reconciler: Reconciler, options: ControllerOptions) {
  const controller = new Controller('hung', reconciler, options);
  await controller.engage('c1', stubCluster('c1'), new AbortController().signal);
  const stop = new AbortController();
  const done = controller.start(stop.signal);
  running.push({ stop, done });
  return { controller, stop, done };
}

const hungWarning = (runningMs: number): string =>
  `reconcile of c1|ns/stuck in controller hung is hung: still running ${formatDuration(runningMs)} after it started, though its signal was aborted at the 50 ms timeout; its worker is freed for other keys, and this key waits until the reconcile settles`;

describe('a reconcile that ignores its aborted signal', () => {
  it('frees its worker for other keys, keeps its key locked, warns with backoff and is counted until it settles', async () => {
    const registry = new Registry();
    const metrics = new PrometheusControllerMetrics(registry);
    const logger = memoryLogger();
    const release = Promise.withResolvers<void>();
    const reconciled: string[] = [];
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    let stuckCalls = 0;
    const { controller } = await startController(
      async (request) => {
        if (inFlight.has(request.name)) overlaps.push(request.name);
        inFlight.add(request.name);
        try {
          // The first reconcile of "stuck" waits for the test, whatever its signal says.
          if (request.name === 'stuck' && ++stuckCalls === 1) await release.promise;
          reconciled.push(request.name);
        } finally {
          inFlight.delete(request.name);
        }
      },
      { maxConcurrentReconciles: 1, reconcileTimeoutMs: 50, logger, metrics, gracefulShutdownMs: 1_000 },
    );
    const hungSeries = 'controller_runtime_hung_reconciles{controller="hung"}';
    expect(await sample(registry, hungSeries)).toBe(0);

    controller.enqueue(req('stuck'));
    await until('the stuck reconcile to start', () => stuckCalls === 1);
    controller.enqueue(req('a'));
    controller.enqueue(req('b'));
    await until('the other keys to be reconciled by the only worker', () => reconciled.length === 2);
    expect(reconciled).toEqual(['a', 'b']);
    expect(await sample(registry, hungSeries)).toBe(1);
    expect(await sample(registry, 'controller_runtime_active_workers{controller="hung"}')).toBe(0);

    // Added again while hung: it waits (after "c", which was added later but is free to go).
    controller.enqueue(req('stuck'));
    controller.enqueue(req('c'));
    await until('c to be reconciled', () => reconciled.includes('c'));
    expect(stuckCalls).toBe(1);

    // Warned when it hung, and again later with a longer pause.
    const warnings = () => logger.lines.filter((l) => l.level === 'warn' && l.msg.includes(' is hung: '));
    await until('a second warning', () => warnings().length >= 2);
    const [first, second] = warnings();
    for (const line of [first, second]) {
      const runningMs = line?.bindings.runningMs as number;
      expect(line?.msg).toBe(hungWarning(runningMs));
      expect(line?.bindings).toMatchObject({
        controller: 'hung',
        cluster: 'c1',
        namespace: 'ns',
        name: 'stuck',
        key: 'c1|ns/stuck',
        timeoutMs: 50,
      });
    }
    const firstMs = first?.bindings.runningMs as number;
    const secondMs = second?.bindings.runningMs as number;
    // The 50 ms timeout plus a grace as long, then a pause twice as long (timers may fire a few ms early).
    expect(firstMs).toBeGreaterThanOrEqual(90);
    expect(secondMs - firstMs).toBeGreaterThanOrEqual(90);

    release.resolve();
    await until('the queued-up reconcile of stuck once the hung one settled', () => stuckCalls === 2);
    await until('the hung count to drop', async () => (await sample(registry, hungSeries)) === 0);
    expect(reconciled.filter((name) => name === 'stuck')).toEqual(['stuck', 'stuck']);
    expect(overlaps).toEqual([]);
    const settled = logger.lines.find((l) => l.msg.startsWith('the hung reconcile of'));
    expect(settled?.msg).toBe(
      `the hung reconcile of c1|ns/stuck settled after ${formatDuration(settled?.bindings.runningMs as number)}; its key is released`,
    );
    expect(settled?.level).toBe('info');
    await until(
      'no active workers',
      async () => (await sample(registry, 'controller_runtime_active_workers{controller="hung"}')) === 0,
    );
  });

  it('does not hold up shutdown past the graceful shutdown period', async () => {
    const logger = memoryLogger();
    let started = false;
    const { controller, stop, done } = await startController(
      async () => {
        started = true;
        await new Promise<void>(() => {});
      },
      { maxConcurrentReconciles: 1, reconcileTimeoutMs: 20, logger, gracefulShutdownMs: 200 },
    );
    controller.enqueue(req('stuck'));
    await until('the stuck reconcile to hang', () => logger.lines.some((l) => l.msg.includes(' is hung: ')));
    expect(started).toBe(true);
    const stopAt = performance.now();
    stop.abort();
    await done;
    expect(performance.now() - stopAt).toBeLessThan(5_000);
    expect(
      logger.lines.find((l) =>
        l.msg.startsWith('reconciles did not finish within the graceful shutdown period'),
      )?.bindings.unfinished,
    ).toEqual(['c1|ns/stuck']);
  });
});
