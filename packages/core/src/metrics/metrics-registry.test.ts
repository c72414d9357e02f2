import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_LAG_SERIES } from './event-loop-lag-metrics.ts';
import { newMetricsRegistry } from './metrics-registry.ts';

/** The value of one unlabelled series in a scrape. */
async function valueOf(registry: Registry, name: string): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values[0]?.value;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('newMetricsRegistry', () => {
  it('keeps the process and event-loop metrics on by default, with every prom-client event-loop series', async () => {
    const registry = newMetricsRegistry({ eventLoopSampleMs: 20 });
    try {
      const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
      expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', ...EVENT_LOOP_LAG_SERIES]));
      // The process's CPU time since it started, not since the registry was made.
      expect(await valueOf(registry, 'process_cpu_seconds_total')).toBeGreaterThan(0.01);
      // Each event-loop series once.
      expect(names.filter((n) => n.startsWith('nodejs_eventloop_lag_'))).toHaveLength(
        EVENT_LOOP_LAG_SERIES.length,
      );
    } finally {
      registry.clear();
    }
  });

  it('samples the event loop only from the first scrape on, and shows a blocked loop in the next one', async () => {
    const registry = newMetricsRegistry({ eventLoopSampleMs: 10 });
    try {
      await sleep(100);
      // Nothing was sampled before anybody asked.
      expect(await valueOf(registry, 'kubeloom_eventloop_lag_samples')).toBe(0);
      await sleep(100);
      const blockedUntil = Date.now() + 150;
      while (Date.now() < blockedUntil) {
        // block the loop
      }
      await sleep(50);
      const scrape = await registry.getMetricsAsJSON();
      const value = (name: string): number | undefined =>
        scrape.find((m) => m.name === name)?.values[0]?.value;
      expect(value('kubeloom_eventloop_lag_samples')).toBeGreaterThan(3);
      expect(value('nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0.1);
      expect(value('nodejs_eventloop_lag_p50_seconds')).toBeLessThan(0.1);
      expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      registry.clear();
    }
  });

  it('has none of them when default metrics are turned off', async () => {
    const registry = newMetricsRegistry({ defaultMetrics: false });
    expect(await registry.getMetricsAsJSON()).toEqual([]);
  });
});
