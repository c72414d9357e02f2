import type { Counter, Registry } from 'prom-client';
import { type FinishedRequest, observeEveryRequest } from '../client/process-request-observers.ts';
import { CheapHistogram, type HistogramSeries } from './cheap-histogram.ts';
import { promClient } from './prom-client.ts';

/**
 * client-go's `rest_client_request_duration_seconds` buckets (5 ms to 60 s), as registered by
 * k8s.io/component-base/metrics/prometheus/restclient/metrics.go with the labels `verb` and `host`.
 */
export const REST_CLIENT_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60,
];

/**
 * The request metrics every Go operator has: `rest_client_requests_total{code,method,host}` (the name,
 * help and labels controller-runtime registers in pkg/metrics/client_go_adapter.go) and
 * `rest_client_request_duration_seconds{verb,host}` (client-go's, see {@link REST_CLIENT_DURATION_BUCKETS}).
 *
 * Like client-go's, they count every client in the process (see {@link observeEveryRequest}), one sample
 * per HTTP attempt: a retried request counts once per answer. `code` is the HTTP status, or `<error>` when
 * no answer came (client-go's value); `verb` and `method` are the HTTP method. A watch is counted when it
 * closes, with the status it was answered with; its duration (the life of the stream) is not observed,
 * since it says nothing about the server's latency.
 */
export class RestClientMetrics {
  readonly #requests: Counter<'code' | 'method' | 'host'>;
  readonly #duration: CheapHistogram;
  /**
   * Per label set, the requests not yet added to the counter and the histogram series: prom-client hashes
   * the labels on every call, which would cost each request microseconds where a Map lookup costs
   * nanoseconds. The counts are added when the registry is collected.
   */
  readonly #series = new Map<string, RequestSeries>();
  readonly #stop: () => void;

  /** Registers both metrics in `registry` and starts counting; {@link RestClientMetrics.stop} ends it. */
  constructor(registry: Registry) {
    const { Counter } = promClient();
    this.#requests = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'],
      registers: [registry],
      collect: () => this.#addCounts(),
    });
    this.#duration = new CheapHistogram(registry, {
      name: 'rest_client_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by verb, and host.',
      buckets: REST_CLIENT_DURATION_BUCKETS,
    });
    // Held weakly: a registry nobody uses any more (a stopped manager) must not keep counting forever.
    const self = new WeakRef(this);
    const stop = observeEveryRequest({
      requestFinished: (request) => {
        const metrics = self.deref();
        if (metrics) metrics.#record(request);
        else stop();
      },
    });
    this.#stop = stop;
  }

  /** Stops counting (the series stay in the registry with their last values). */
  stop(): void {
    this.#stop();
  }

  #record(request: FinishedRequest): void {
    const code = request.status === undefined ? '<error>' : String(request.status);
    // Keyed by the URL's scheme and authority as they are: cheaper than extracting the host each time.
    const key = `${code} ${request.method} ${request.url.slice(0, request.url.indexOf('/', 8))}`;
    let series = this.#series.get(key);
    if (!series) {
      const host = hostOf(request.url);
      series = {
        labels: { code, method: request.method, host },
        uncounted: 0,
        duration: this.#durationSeries(request.method, host),
      };
      this.#series.set(key, series);
    }
    series.uncounted++;
    if (!request.stream) series.duration.observe(request.durationMs / 1000);
  }

  /** One histogram series per verb and host, shared by the codes. */
  #durationSeries(verb: string, host: string): HistogramSeries {
    for (const series of this.#series.values()) {
      if (series.labels.method === verb && series.labels.host === host) return series.duration;
    }
    return this.#duration.series({ verb, host });
  }

  #addCounts(): void {
    for (const series of this.#series.values()) {
      if (series.uncounted === 0) continue;
      this.#requests.inc(series.labels, series.uncounted);
      series.uncounted = 0;
    }
  }
}

/** Requests of one label set. */
interface RequestSeries {
  readonly labels: { code: string; method: string; host: string };
  /** Requests not yet added to the counter. */
  uncounted: number;
  readonly duration: HistogramSeries;
}

/** `host:port` of a URL, as Go's `url.URL.Host` (without parsing the whole URL on the request path). */
function hostOf(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  const authority = end === -1 ? url.slice(start) : url.slice(start, end);
  const query = authority.indexOf('?');
  const host = query === -1 ? authority : authority.slice(0, query);
  const at = host.lastIndexOf('@');
  return at === -1 ? host : host.slice(at + 1);
}
