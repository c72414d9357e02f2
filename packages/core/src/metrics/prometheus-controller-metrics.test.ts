import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../queue/work-queue.ts';
import { ManagerMetrics } from './manager-metrics.ts';
import { newMetricsRegistry } from './metrics-registry.ts';
import { PrometheusControllerMetrics } from './prometheus-controller-metrics.ts';

/** The value of one sample line, e.g. `sample(text, 'workqueue_depth{name="c",controller="c"}')`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('PrometheusControllerMetrics', () => {
  it('uses controller-runtime names and pre-initialises every counter of a controller to zero', async () => {
    const registry = new Registry();
    const metrics = new PrometheusControllerMetrics(registry);
    metrics.maxConcurrentReconciles('orders', 4);
    const text = await registry.metrics();
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      expect(sample(text, `controller_runtime_reconcile_total{controller="orders",result="${result}"}`)).toBe(
        0,
      );
    }
    expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="orders"}')).toBe(0);
    expect(sample(text, 'controller_runtime_terminal_reconcile_errors_total{controller="orders"}')).toBe(0);
    expect(sample(text, 'controller_runtime_reconcile_panics_total{controller="orders"}')).toBe(0);
    expect(sample(text, 'controller_runtime_reconcile_timeouts_total{controller="orders"}')).toBe(0);
    expect(sample(text, 'controller_runtime_active_workers{controller="orders"}')).toBe(0);
    expect(sample(text, 'controller_runtime_max_concurrent_reconciles{controller="orders"}')).toBe(4);
  });

  it('counts outcomes, errors, timeouts, panics, workers and reconcile time', async () => {
    const registry = new Registry();
    const metrics = new PrometheusControllerMetrics(registry);
    metrics.reconcileFinished('orders', 'success', 0.02, 'root:a');
    metrics.reconcileFinished('orders', 'success', 0.2);
    metrics.reconcileFinished('orders', 'error', 1.5);
    metrics.reconcileError('orders', false);
    metrics.reconcileError('orders', true);
    metrics.reconcileTimeout('orders');
    metrics.reconcilePanic('orders');
    metrics.activeWorkers('orders', 1);
    metrics.activeWorkers('orders', 1);
    metrics.activeWorkers('orders', -1);
    const text = await registry.metrics();
    expect(sample(text, 'controller_runtime_reconcile_total{controller="orders",result="success"}')).toBe(2);
    expect(sample(text, 'controller_runtime_reconcile_total{controller="orders",result="error"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="orders"}')).toBe(2);
    expect(sample(text, 'controller_runtime_terminal_reconcile_errors_total{controller="orders"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_timeouts_total{controller="orders"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_panics_total{controller="orders"}')).toBe(1);
    expect(sample(text, 'controller_runtime_active_workers{controller="orders"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="orders"}')).toBe(3);
    expect(
      sample(text, 'controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="orders"}'),
    ).toBe(1);
    expect(
      sample(text, 'controller_runtime_reconcile_time_seconds_bucket{le="60",controller="orders"}'),
    ).toBe(3);
    expect(text).not.toContain('cluster=');
  });

  it('adds a cluster label only when asked to', async () => {
    const registry = new Registry();
    const metrics = new PrometheusControllerMetrics(registry, { clusterLabel: true });
    metrics.reconcileFinished('orders', 'success', 0.01, 'root:a');
    metrics.reconcileFinished('orders', 'requeue', 0.01, 'root:b');
    const text = await registry.metrics();
    expect(
      sample(
        text,
        'controller_runtime_reconcile_total{controller="orders",result="success",cluster="root:a"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'controller_runtime_reconcile_total{controller="orders",result="error",cluster="root:a"}'),
    ).toBe(0);
    expect(
      sample(
        text,
        'controller_runtime_reconcile_total{controller="orders",result="requeue",cluster="root:b"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="orders",cluster="root:b"}'),
    ).toBe(1);
  });

  it('exports workqueue metrics from a real work queue, including in-progress work', async () => {
    const registry = new Registry();
    const metrics = new PrometheusControllerMetrics(registry);
    const queue = new WorkQueue({ observer: metrics.workQueue('orders') });
    expect(metrics.workQueue('orders')).toBe(metrics.workQueue('orders'));
    const blocked = Promise.withResolvers<void>();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    let text = await registry.metrics();
    expect(sample(text, 'workqueue_depth{name="orders",controller="orders"}')).toBe(2);
    expect(sample(text, 'workqueue_adds_total{name="orders",controller="orders"}')).toBe(2);
    expect(sample(text, 'workqueue_retries_total{name="orders",controller="orders"}')).toBe(0);

    const running = queue.run(
      async (key) => {
        if (key === 'a') await blocked.promise;
      },
      { concurrency: 2 },
    );
    // Well past the 0.02 s asserted below: the workers start a moment after run() returns.
    await sleep(60);
    text = await registry.metrics();
    expect(sample(text, 'workqueue_depth{name="orders",controller="orders"}')).toBe(0);
    expect(
      sample(text, 'workqueue_longest_running_processor_seconds{name="orders",controller="orders"}'),
    ).toBeGreaterThan(0.02);
    expect(
      sample(text, 'workqueue_unfinished_work_seconds{name="orders",controller="orders"}'),
    ).toBeGreaterThan(0.02);
    expect(sample(text, 'workqueue_work_duration_seconds_count{name="orders",controller="orders"}')).toBe(1);

    blocked.resolve();
    queue.addRateLimited('c');
    queue.shutdown();
    await running;
    text = await registry.metrics();
    expect(sample(text, 'workqueue_queue_duration_seconds_count{name="orders",controller="orders"}')).toBe(2);
    expect(sample(text, 'workqueue_work_duration_seconds_count{name="orders",controller="orders"}')).toBe(2);
    expect(
      sample(text, 'workqueue_longest_running_processor_seconds{name="orders",controller="orders"}'),
    ).toBe(0);
    expect(sample(text, 'workqueue_unfinished_work_seconds{name="orders",controller="orders"}')).toBe(0);
    expect(sample(text, 'workqueue_retries_total{name="orders",controller="orders"}')).toBe(1);
  });
});

describe('ManagerMetrics and the registry', () => {
  it('reports leader status and engaged clusters', async () => {
    const registry = new Registry();
    const metrics = new ManagerMetrics(registry);
    let text = await registry.metrics();
    expect(sample(text, 'kubeloom_engaged_clusters')).toBe(0);
    metrics.leaderStatus('shop-lock', true);
    metrics.engagedClusters(3);
    text = await registry.metrics();
    expect(sample(text, 'leader_election_master_status{name="shop-lock"}')).toBe(1);
    expect(sample(text, 'kubeloom_engaged_clusters')).toBe(3);
  });

  it('gives every manager its own registry with the default process metrics', async () => {
    const a = newMetricsRegistry();
    const b = newMetricsRegistry();
    new ManagerMetrics(a).engagedClusters(1);
    new ManagerMetrics(b).engagedClusters(2);
    const text = await a.metrics();
    expect(sample(text, 'kubeloom_engaged_clusters')).toBe(1);
    expect(sample(await b.metrics(), 'kubeloom_engaged_clusters')).toBe(2);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect((await newMetricsRegistry({ defaultMetrics: false }).metrics()).trim()).toBe('');
  });
});
