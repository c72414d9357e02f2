import type { Registry } from 'prom-client';
import { registerEventLoopLagMetrics } from './event-loop-lag-metrics.ts';
import { registerProcessCpuMetrics } from './process-cpu-metrics.ts';
import { promClient, registerPromClientProcessMetrics } from './prom-client.ts';

/** Options for {@link newMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Add prom-client's process, GC and event-loop metrics (`process_*`, `nodejs_*`). Default true. */
  defaultMetrics?: boolean;
  /**
   * How often the event-loop lag (`nodejs_eventloop_lag_*`) is sampled once somebody scrapes, in ms.
   * Nothing is sampled before the first scrape (see {@link registerEventLoopLagMetrics}); after it, each
   * sample is a wake-up (prom-client's default of 10 ms costs an idle process ~0.27 CPU-seconds a minute).
   * Default {@link DEFAULT_EVENT_LOOP_SAMPLE_MS}: a blocked loop still shows, as the late sample it causes.
   */
  eventLoopSampleMs?: number;
}

/** Default {@link MetricsRegistryOptions.eventLoopSampleMs}: two wake-ups a second while scraped. */
export const DEFAULT_EVENT_LOOP_SAMPLE_MS = 500;

/**
 * A fresh prom-client Registry for one manager. Never prom-client's global registry: a second manager in
 * the same process (every test suite has several) would fail with "metric already registered".
 *
 * The default metrics are prom-client's (same names and meanings), assembled so that none of them costs
 * anything between scrapes: the event-loop lag is sampled only once scraped
 * ({@link registerEventLoopLagMetrics}), and the CPU counters are kubeloom's own (prom-client's module for
 * them loads OpenTelemetry for exemplars).
 */
export function newMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new (promClient().Registry)();
  if (options.defaultMetrics ?? true) {
    registerProcessCpuMetrics(registry);
    registerPromClientProcessMetrics(registry);
    registerEventLoopLagMetrics(registry, options.eventLoopSampleMs ?? DEFAULT_EVENT_LOOP_SAMPLE_MS);
  }
  return registry;
}
