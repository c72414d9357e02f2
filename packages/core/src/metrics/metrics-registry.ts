import type { Registry } from 'prom-client';
import { promClient } from './prom-client.ts';

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
  const { Registry: PromRegistry, collectDefaultMetrics } = promClient();
  const registry = new PromRegistry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
