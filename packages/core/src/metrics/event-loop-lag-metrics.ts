import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.ts';

/** The event-loop series of prom-client's default metrics, which {@link registerEventLoopLagMetrics} provides. */
export const EVENT_LOOP_LAG_SERIES = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

/**
 * Registers the `nodejs_eventloop_lag_*` series (prom-client's names and meanings) in `registry`, measured
 * only once somebody reads them: the lag sampler starts at the first scrape and samples every `sampleMs`
 * from then on; each scrape reports the samples since the previous one. A process whose metrics nobody
 * scrapes therefore never wakes up to sample its loop (prom-client samples from the start, which an idle
 * manager pays for with a wake-up every sample). `nodejs_eventloop_lag_seconds` is measured at every scrape
 * (how long a callback queued then waited), so even the first scrape reports a lag.
 */
export function registerEventLoopLagMetrics(registry: Registry, sampleMs: number): Gauge[] {
  const { Gauge } = promClient();
  let sampler: ELDHistogram | undefined;
  const lag = new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    aggregator: 'average',
    async collect() {
      if (!sampler) {
        sampler = monitorEventLoopDelay({ resolution: Math.max(1, Math.round(sampleMs)) });
        sampler.enable();
      }
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve) => setImmediate(resolve));
      lag.set(Number(process.hrtime.bigint() - started) / 1e9);
    },
  });
  const fromSamples = SAMPLED_SERIES.map(
    ([name, help, pick]) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        aggregator: 'average',
        collect() {
          // Nothing sampled yet (before the first scrape) reads 0.
          this.set(sampler && sampler.count > 0 ? seconds(pick(sampler)) : 0);
        },
      }),
  );
  // Registered last, so every series above has read the window before it restarts for the next scrape.
  const samples = new Gauge({
    name: 'kubeloom_eventloop_lag_samples',
    help: 'Event-loop lag samples behind the nodejs_eventloop_lag_* series of this scrape (0 until the first scrape starts the sampler).',
    registers: [registry],
    collect() {
      samples.set(sampler?.count ?? 0);
      sampler?.reset();
    },
  });
  return [lag, ...fromSamples, samples];
}

/** The series read from the sampler: name, help (prom-client's) and what each reads, in nanoseconds. */
const SAMPLED_SERIES: ReadonlyArray<readonly [string, string, (h: ELDHistogram) => number]> = [
  ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', (h) => h.min],
  ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', (h) => h.max],
  ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', (h) => h.mean],
  [
    'nodejs_eventloop_lag_stddev_seconds',
    'The standard deviation of the recorded event loop delays.',
    (h) => h.stddev,
  ],
  [
    'nodejs_eventloop_lag_p50_seconds',
    'The 50th percentile of the recorded event loop delays.',
    (h) => h.percentile(50),
  ],
  [
    'nodejs_eventloop_lag_p90_seconds',
    'The 90th percentile of the recorded event loop delays.',
    (h) => h.percentile(90),
  ],
  [
    'nodejs_eventloop_lag_p99_seconds',
    'The 99th percentile of the recorded event loop delays.',
    (h) => h.percentile(99),
  ],
];

/** Nanoseconds as seconds; a histogram with no samples reads NaN or an extreme, reported as 0. */
function seconds(nanoseconds: number): number {
  return Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0;
}
