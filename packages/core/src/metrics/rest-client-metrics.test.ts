import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { isNotFound } from '../client/errors.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { newMetricsRegistry } from './metrics-registry.ts';
import { RestClientMetrics } from './rest-client-metrics.ts';

let server: FakeApiServer;
let client: Client;

beforeEach(async () => {
  server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  client = server.client();
});
afterEach(() => server.stop());

/** The sample lines of one metric, without HELP and TYPE. */
async function samples(registry: ReturnType<typeof newMetricsRegistry>, name: string): Promise<string[]> {
  return (await registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));
}

describe('RestClientMetrics', () => {
  it('counts every request by code, method and host, and times them by verb and host', async () => {
    const registry = newMetricsRegistry({ defaultMetrics: false });
    const metrics = new RestClientMetrics(registry);
    try {
      const host = new URL(server.url).host;
      const at = { namespace: 'default' };
      await client.create(ConfigMapResource, { metadata: { name: 'a', namespace: 'default' } });
      await client.get(ConfigMapResource, 'a', at);
      await client.get(ConfigMapResource, 'missing', at).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      expect(await samples(registry, 'rest_client_requests_total')).toEqual([
        `rest_client_requests_total{code="201",method="POST",host="${host}"} 1`,
        `rest_client_requests_total{code="200",method="GET",host="${host}"} 1`,
        `rest_client_requests_total{code="404",method="GET",host="${host}"} 1`,
      ]);
      const duration = await samples(registry, 'rest_client_request_duration_seconds');
      expect(duration).toContain(`rest_client_request_duration_seconds_count{verb="GET",host="${host}"} 2`);
      expect(duration).toContain(
        `rest_client_request_duration_seconds_bucket{le="60",verb="POST",host="${host}"} 1`,
      );
    } finally {
      metrics.stop();
    }
  });

  it('counts a request that got no answer as <error>, and a watch when it closes, without timing it', async () => {
    const registry = newMetricsRegistry({ defaultMetrics: false });
    const metrics = new RestClientMetrics(registry);
    try {
      const host = new URL(server.url).host;
      const watch = await client.rest.stream({ path: '/api/v1/configmaps', query: { watch: true } });
      watch.close();
      const unreachable = server.client({}, { retry: false }).withServer('http://127.0.0.1:1');
      await expect(unreachable.get(ConfigMapResource, 'a', { namespace: 'default' })).rejects.toThrow(
        'GET http://127.0.0.1:1/api/v1/namespaces/default/configmaps/a',
      );
      expect(await samples(registry, 'rest_client_requests_total')).toEqual([
        `rest_client_requests_total{code="200",method="GET",host="${host}"} 1`,
        'rest_client_requests_total{code="<error>",method="GET",host="127.0.0.1:1"} 1',
      ]);
      expect(await samples(registry, 'rest_client_request_duration_seconds')).not.toContain(
        `rest_client_request_duration_seconds_count{verb="GET",host="${host}"} 1`,
      );
    } finally {
      metrics.stop();
    }
  });

  it('stops counting when stopped', async () => {
    const registry = newMetricsRegistry({ defaultMetrics: false });
    new RestClientMetrics(registry).stop();
    await client.list(ConfigMapResource);
    expect(await samples(registry, 'rest_client_requests_total')).toEqual([]);
  });
});
