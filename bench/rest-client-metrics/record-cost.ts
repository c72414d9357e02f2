// What counting a request in rest_client_requests_total and rest_client_request_duration_seconds adds to
// each request: the process-wide observer is called N times with finished requests, as RestClient calls it,
// with and without RestClientMetrics registered. Run: node bench/rest-client-metrics/record-cost.ts
import {
  type FinishedRequest,
  RestClientMetrics,
  newMetricsRegistry,
  reportRequestFinished,
} from '@kubeloom/core';

const N = 1_000_000;
const requests: FinishedRequest[] = ['GET', 'PUT', 'PATCH', 'GET'].map((method, i) => ({
  method,
  url: `https://10.0.0.1:6443/clusters/root:org:ws${i}/api/v1/namespaces/default/configmaps/c${i}`,
  stream: false,
  status: i === 3 ? 404 : 200,
  durationMs: 3 + i,
}));

function nsPerRequest(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < N / requests.length; i++) {
    for (const request of requests) reportRequestFinished(undefined, request);
  }
  return Number(process.hrtime.bigint() - started) / N;
}

nsPerRequest(); // warm up
const without = nsPerRequest();
const metrics = new RestClientMetrics(newMetricsRegistry({ defaultMetrics: false }));
nsPerRequest();
const withMetrics = nsPerRequest();
metrics.stop();
console.log(
  `per request: ${without.toFixed(0)} ns without rest client metrics, ${withMetrics.toFixed(0)} ns with them (${N} requests)`,
);
