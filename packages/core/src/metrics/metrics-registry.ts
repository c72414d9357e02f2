import type { Registry } from 'prom-client';
import { promClient } from './prom-client.ts';

/** Options for {@link newMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Add prom-client's process, GC and event-loop metrics (`process_*`, `nodejs_*`). Default true. */
  defaultMetrics?: boolean;
  /**
   * How often the event-loop lag (`nodejs_eventloop_lag_*`) is sampled, in ms. Each sample wakes the
   * process; prom-client's default of 10 ms costs an idle manager ~0.27 CPU-seconds a minute. Default
   * {@link DEFAULT_EVENT_LOOP_SAMPLE_MS}: a blocked loop still shows, as the late sample it causes.
   */
  eventLoopSampleMs?: number;
}

/** Default {@link MetricsRegistryOptions.eventLoopSampleMs}: two wake-ups a second while idle. */
export const DEFAULT_EVENT_LOOP_SAMPLE_MS = 500;

/**
 * A fresh prom-client Registry for one manager. Never prom-client's global registry: a second manager in
 * the same process (every test suite has several) would fail with "metric already registered".
 */
export function newMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const { Registry: PromRegistry, collectDefaultMetrics } = promClient();
  const registry = new PromRegistry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({
      register: registry,
      eventLoopMonitoringPrecision: options.eventLoopSampleMs ?? DEFAULT_EVENT_LOOP_SAMPLE_MS,
    });
  }
  return registry;
}
