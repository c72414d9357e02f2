import type { Metric, MetricValueWithName, Registry } from 'prom-client';

/** One label set of a {@link CheapHistogram}: what an observation on the request path touches. */
export interface HistogramSeries {
  /** Counts `value` into its bucket: an array index and three additions, no hashing. */
  observe(value: number): void;
}

/**
 * A Prometheus histogram for hot paths, registered in a prom-client registry. prom-client's own Histogram
 * hashes the label values on every `observe`, which costs microseconds; here the caller keeps the
 * {@link HistogramSeries} of a label set and observing costs nanoseconds. The exposition is the same.
 */
export class CheapHistogram {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #series: { labels: Record<string, string>; buckets: Float64Array; sum: number; count: number }[] =
    [];

  /** Registers the histogram `name` in `registry`, with upper bucket bounds `buckets` (ascending). */
  constructor(registry: Registry, options: { name: string; help: string; buckets: readonly number[] }) {
    this.#name = options.name;
    this.#help = options.help;
    this.#bounds = options.buckets;
    registry.registerMetric(this.#asPromMetric() as unknown as Metric);
  }

  /** The series of one label set; keep it, since every call makes a new series. */
  series(labels: Record<string, string>): HistogramSeries {
    const bounds = this.#bounds;
    const entry = { labels, buckets: new Float64Array(bounds.length), sum: 0, count: 0 };
    this.#series.push(entry);
    return {
      observe(value: number): void {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        if (i < bounds.length) entry.buckets[i] = (entry.buckets[i] as number) + 1;
        entry.sum += value;
        entry.count++;
      },
    };
  }

  /** The shape prom-client's Registry reads (`name`, `get()`, `reset()`), as its own metrics have it. */
  #asPromMetric() {
    const get = () => {
      const values: MetricValueWithName<string>[] = [];
      for (const { labels, buckets, sum, count } of this.#series) {
        let cumulative = 0;
        this.#bounds.forEach((le, i) => {
          cumulative += buckets[i] as number;
          values.push({ metricName: `${this.#name}_bucket`, labels: { le, ...labels }, value: cumulative });
        });
        values.push({ metricName: `${this.#name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
        values.push({ metricName: `${this.#name}_sum`, labels, value: sum });
        values.push({ metricName: `${this.#name}_count`, labels, value: count });
      }
      return { name: this.#name, help: this.#help, type: 'histogram', values, aggregator: 'sum' };
    };
    return {
      name: this.#name,
      help: this.#help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => get(),
      reset: () => {
        for (const series of this.#series) {
          series.buckets.fill(0);
          series.sum = 0;
          series.count = 0;
        }
      },
    };
  }
}
