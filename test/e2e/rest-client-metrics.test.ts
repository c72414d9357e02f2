import {
  ConfigMapResource,
  JsonLogger,
  Manager,
  NamespaceResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKube } from './kube.ts';

/** The `rest_client_*` sample lines of a /metrics page for one host, without the bucket lines. */
function restClientLines(page: string, host: string): string[] {
  return page
    .split('\n')
    .filter((l) => l.startsWith('rest_client_') && l.includes(`host="${host}"`) && !l.includes('_bucket{'));
}

/** The value of the sample line that starts with `prefix`, or 0 if there is none yet. */
function valueOf(lines: readonly string[], prefix: string): number {
  const line = lines.find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('rest client metrics on /metrics', () => {
  it("count and time real requests to kube-apiserver under client-go's names and labels", async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    const manager = new Manager({
      local: kube.client,
      logger: new JsonLogger({ level: 'warn', destination: process.stderr }),
      metricsBindAddress: '127.0.0.1:0',
      defaultMetrics: false,
    });
    void manager.start();
    onTestFinished(() => manager.stop());
    await waitFor(() => manager.metricsAddress !== undefined, { what: 'the /metrics server' });
    const page = async (): Promise<string> => {
      const address = manager.metricsAddress;
      const response = await fetch(`http://${address?.address}:${address?.port}/metrics`);
      return response.text();
    };
    const host = new URL(kube.client.rest.server).host;
    const before = restClientLines(await page(), host);

    await kube.client.list(NamespaceResource);
    for (const name of ['absent-1', 'absent-2', 'absent-3']) {
      await kube.client.get(ConfigMapResource, name, { namespace: 'default' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }

    const after = restClientLines(await page(), host);
    const grew = (prefix: string) => valueOf(after, prefix) - valueOf(before, prefix);
    expect(grew(`rest_client_requests_total{code="404",method="GET",host="${host}"}`)).toBe(3);
    expect(grew(`rest_client_requests_total{code="200",method="GET",host="${host}"}`)).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      grew(`rest_client_request_duration_seconds_count{verb="GET",host="${host}"}`),
    ).toBeGreaterThanOrEqual(4);
    const notFound = `rest_client_requests_total{code="404",method="GET",host="${host}"}`;
    expect(after.filter((l) => l.startsWith(notFound))).toEqual([
      `${notFound} ${valueOf(before, notFound) + 3}`,
    ]);
  });
});
