import { describe, expect, it } from 'vitest';
import { newMetricsRegistry } from './metrics-registry.ts';

describe('newMetricsRegistry', () => {
  it('keeps the process and event-loop metrics on by default, sampled coarsely', async () => {
    const registry = newMetricsRegistry({ eventLoopSampleMs: 20 });
    try {
      const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
      expect(names).toEqual(
        expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']),
      );
    } finally {
      registry.clear();
    }
  });

  it('has none of them when default metrics are turned off', async () => {
    const registry = newMetricsRegistry({ defaultMetrics: false });
    expect(await registry.getMetricsAsJSON()).toEqual([]);
  });
});
