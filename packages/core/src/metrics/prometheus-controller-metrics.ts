import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { promClient } from './prom-client.ts';
import type { WorkQueueObserver } from '../queue/work-queue-observer.ts';
import type { ControllerMetrics, ReconcileOutcome } from './controller-metrics.ts';
import { WorkQueueMetrics } from './work-queue-metrics.ts';

/** Options for {@link PrometheusControllerMetrics}. */
export interface PrometheusControllerMetricsOptions {
  /**
   * Add a `cluster` label to `controller_runtime_reconcile_total` and `controller_runtime_reconcile_time_seconds`.
   * Off by default: with thousands of kcp workspaces every series would multiply by the number of
   * clusters (JOSDK's per-resource tags hit exactly this), and controller-runtime has no such label.
   */
  clusterLabel?: boolean;
}

const outcomes: readonly ReconcileOutcome[] = ['success', 'error', 'requeue', 'requeue_after'];

/** controller-runtime's `controller_runtime_reconcile_time_seconds` buckets (5 ms to 60 s). */
export const RECONCILE_TIME_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/**
 * {@link ControllerMetrics} on prom-client under controller-runtime's metric names and labels, so that
 * dashboards and alerts written for Go operators work for kubeloom ones. Every counter of a controller is
 * created at zero as soon as the controller reports anything (controller-runtime pre-initialises them, and
 * `rate()` over a series that appears only on the first error misses that error).
 */
export class PrometheusControllerMetrics implements ControllerMetrics {
  readonly #clusterLabel: boolean;
  readonly #total: Counter<'controller' | 'result' | 'cluster'>;
  readonly #errors: Counter<'controller'>;
  readonly #terminalErrors: Counter<'controller'>;
  readonly #panics: Counter<'controller'>;
  readonly #timeouts: Counter<'controller'>;
  readonly #time: Histogram<'controller' | 'cluster'>;
  readonly #maxConcurrent: Gauge<'controller'>;
  readonly #active: Gauge<'controller'>;
  readonly #hung: Gauge<'controller'>;
  readonly #queues: WorkQueueMetrics;
  readonly #known = new Set<string>();
  readonly #knownClusters = new Set<string>();

  constructor(registry: Registry, options: PrometheusControllerMetricsOptions = {}) {
    const { Counter, Gauge, Histogram } = promClient();
    this.#clusterLabel = options.clusterLabel ?? false;
    const registers = [registry];
    const byController = ['controller'] as const;
    this.#total = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: this.#clusterLabel ? ['controller', 'result', 'cluster'] : ['controller', 'result'],
      registers,
    });
    this.#errors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: byController,
      registers,
    });
    this.#terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: byController,
      registers,
    });
    this.#panics = new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics per controller',
      labelNames: byController,
      registers,
    });
    this.#timeouts = new Counter({
      name: 'controller_runtime_reconcile_timeouts_total',
      help: 'Total number of reconciliation timeouts per controller',
      labelNames: byController,
      registers,
    });
    this.#time = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: this.#clusterLabel ? ['controller', 'cluster'] : ['controller'],
      buckets: [...RECONCILE_TIME_BUCKETS],
      registers,
    });
    this.#maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: byController,
      registers,
    });
    this.#active = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: byController,
      registers,
    });
    // Not one of controller-runtime's (a Go reconcile cannot outlive its worker), named alike to sit next to them.
    this.#hung = new Gauge({
      name: 'controller_runtime_hung_reconciles',
      help: 'Number of reconciles still running after their timeout aborted their signal, per controller; their workers were freed and their keys stay locked until they settle',
      labelNames: byController,
      registers,
    });
    this.#queues = new WorkQueueMetrics(registry);
  }

  reconcileFinished(
    controller: string,
    outcome: ReconcileOutcome,
    durationSeconds: number,
    cluster?: string,
  ): void {
    this.#init(controller);
    if (this.#clusterLabel) {
      const name = cluster ?? '';
      this.#initCluster(controller, name);
      this.#total.inc({ controller, result: outcome, cluster: name });
      this.#time.observe({ controller, cluster: name }, durationSeconds);
    } else {
      this.#total.inc({ controller, result: outcome });
      this.#time.observe({ controller }, durationSeconds);
    }
  }

  reconcileError(controller: string, terminal: boolean): void {
    this.#init(controller);
    this.#errors.inc({ controller });
    if (terminal) this.#terminalErrors.inc({ controller });
  }

  reconcileTimeout(controller: string): void {
    this.#init(controller);
    this.#timeouts.inc({ controller });
  }

  reconcilePanic(controller: string): void {
    this.#init(controller);
    this.#panics.inc({ controller });
  }

  activeWorkers(controller: string, delta: number): void {
    this.#init(controller);
    this.#active.inc({ controller }, delta);
  }

  hungReconciles(controller: string, delta: number): void {
    this.#init(controller);
    this.#hung.inc({ controller }, delta);
  }

  maxConcurrentReconciles(controller: string, value: number): void {
    this.#init(controller);
    this.#maxConcurrent.set({ controller }, value);
  }

  workQueue(controller: string): WorkQueueObserver {
    this.#init(controller);
    return this.#queues.observer(controller);
  }

  #init(controller: string): void {
    if (this.#known.has(controller)) return;
    this.#known.add(controller);
    if (!this.#clusterLabel) for (const result of outcomes) this.#total.inc({ controller, result }, 0);
    for (const counter of [this.#errors, this.#terminalErrors, this.#panics, this.#timeouts]) {
      counter.inc({ controller }, 0);
    }
    this.#active.set({ controller }, 0);
    this.#hung.set({ controller }, 0);
  }

  #initCluster(controller: string, cluster: string): void {
    const key = `${controller}\u0000${cluster}`;
    if (this.#knownClusters.has(key)) return;
    this.#knownClusters.add(key);
    for (const result of outcomes) this.#total.inc({ controller, result, cluster }, 0);
  }
}
