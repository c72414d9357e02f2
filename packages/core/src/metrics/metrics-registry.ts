import type { Registry } from 'prom-client';
import { EVENT_LOOP_LAG_SERIES, registerEventLoopLagMetrics } from './event-loop-lag-metrics.ts';
import { promClient } from './prom-client.ts';

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
 * prom-client's own event-loop sampler runs from the start at a fixed resolution and cannot be left out of
 * its default metrics; at this resolution (the largest Node accepts, ~24.8 days) it never fires, and its
 * series are replaced by ones sampled only once scraped.
 */
const NEVER_MS = 2 ** 31 - 1;

/**
 * A fresh prom-client Registry for one manager. Never prom-client's global registry: a second manager in
 * the same process (every test suite has several) would fail with "metric already registered".
 */
export function newMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const { Registry: PromRegistry, collectDefaultMetrics } = promClient();
  const registry = new PromRegistry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
    for (const name of EVENT_LOOP_LAG_SERIES) registry.removeSingleMetric(name);
    registerEventLoopLagMetrics(registry, options.eventLoopSampleMs ?? DEFAULT_EVENT_LOOP_SAMPLE_MS);
  }
  return registry;
}
