import { Registry, collectDefaultMetrics } from 'prom-client';

/** Options for {@link newMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Add prom-client's process, GC and event-loop metrics (`process_*`, `nodejs_*`). Default true. */
  defaultMetrics?: boolean;
}

/**
 * A fresh prom-client Registry for one manager. Never prom-client's global registry: a second manager in
 * the same process (every test suite has several) would fail with "metric already registered".
 */
export function newMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
