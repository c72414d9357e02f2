import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { promClient } from './prom-client.ts';
import type { WorkQueueObserver } from '../queue/work-queue-observer.ts';

/**
 * controller-runtime's `workqueue_*` series, labelled `{name, controller}` (both the controller's name, as
 * controller-runtime does), so that existing dashboards and alerts work unchanged.
 *
 * `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds` are computed at
 * scrape time from the keys being processed (tracked through `taken`/`finished`), so no timer runs and
 * nothing but the observer hooks is needed from the queue.
 */
export class WorkQueueMetrics {
  readonly #depth: Gauge<'name' | 'controller'>;
  readonly #adds: Counter<'name' | 'controller'>;
  readonly #queueDuration: Histogram<'name' | 'controller'>;
  readonly #workDuration: Histogram<'name' | 'controller'>;
  readonly #retries: Counter<'name' | 'controller'>;
  readonly #unfinished: Gauge<'name' | 'controller'>;
  readonly #longestRunning: Gauge<'name' | 'controller'>;
  readonly #queues = new Map<string, QueueTracker>();

  constructor(registry: Registry) {
    const { Counter, Gauge, Histogram, exponentialBuckets } = promClient();
    const registers = [registry];
    const labelNames = ['name', 'controller'] as const;
    const queues = this.#queues;
    // Buckets as client-go's: 10 ns to 1000 s, factor 10.
    const buckets = exponentialBuckets(1e-8, 10, 12);
    this.#depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames,
      registers,
    });
    this.#adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames,
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames,
      buckets,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames,
      buckets,
      registers,
    });
    this.#retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames,
      registers,
    });
    this.#unfinished = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      labelNames,
      registers,
      collect() {
        const now = performance.now();
        for (const [controller, tracker] of queues)
          this.set(labels(controller), tracker.unfinishedSeconds(now));
      },
    });
    this.#longestRunning = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames,
      registers,
      collect() {
        const now = performance.now();
        for (const [controller, tracker] of queues) this.set(labels(controller), tracker.longestSeconds(now));
      },
    });
  }

  /** The observer for one controller's queue; the same one for every call with that name. */
  observer(controller: string): WorkQueueObserver {
    const existing = this.#queues.get(controller);
    if (existing) return existing.observer;
    const l = labels(controller);
    this.#depth.set(l, 0);
    this.#adds.inc(l, 0);
    this.#retries.inc(l, 0);
    this.#unfinished.set(l, 0);
    this.#longestRunning.set(l, 0);
    const tracker = new QueueTracker({
      added: () => this.#adds.inc(l),
      depthChanged: (depth) => this.#depth.set(l, depth),
      taken: (_key, queuedMs) => this.#queueDuration.observe(l, queuedMs / 1000),
      finished: (_key, workMs) => this.#workDuration.observe(l, workMs / 1000),
      retried: () => this.#retries.inc(l),
    });
    this.#queues.set(controller, tracker);
    return tracker.observer;
  }
}

function labels(controller: string): { name: string; controller: string } {
  return { name: controller, controller };
}

/** Remembers when each key being processed was taken, for the two "in progress" gauges. */
class QueueTracker {
  readonly observer: WorkQueueObserver;
  readonly #processing = new Map<string, number>();

  constructor(record: Required<WorkQueueObserver>) {
    this.observer = {
      added: record.added,
      depthChanged: record.depthChanged,
      retried: record.retried,
      taken: (key, queuedMs) => {
        this.#processing.set(key, performance.now());
        record.taken(key, queuedMs);
      },
      finished: (key, workMs) => {
        this.#processing.delete(key);
        record.finished(key, workMs);
      },
    };
  }

  unfinishedSeconds(now: number): number {
    let total = 0;
    for (const started of this.#processing.values()) total += now - started;
    return total / 1000;
  }

  longestSeconds(now: number): number {
    let longest = 0;
    for (const started of this.#processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }
}
