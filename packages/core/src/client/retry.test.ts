import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeKubeConfig } from '../testing/fake-kubeconfig.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import type { FakeClientOptions } from '../testing/fake-api-server.ts';
import { type ConfigMap, ConfigMapResource } from './builtins.ts';
import { ApiError, ConnectionError } from './errors.ts';
import { RestClient } from './rest-client.ts';
import { isRetryable, isRetryableConnectionFailure, retryPolicy } from './retry.ts';

const cm = (name: string): ConfigMap => ({ metadata: { name, namespace: 'default' }, data: { a: '1' } });

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('isRetryable', () => {
  it('retries 429 for every verb, 5xx only for idempotent verbs, never 501', () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH'])
      expect(isRetryable(method, 429)).toBe(true);
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      expect(isRetryable(method, 500)).toBe(true);
      expect(isRetryable(method, 503)).toBe(true);
      expect(isRetryable(method, 501)).toBe(false);
    }
    expect(isRetryable('POST', 503)).toBe(false);
    expect(isRetryable('PATCH', 500)).toBe(false);
    expect(isRetryable('GET', 409)).toBe(false);
  });

  it('retries a broken connection only for GET and HEAD, and not a refused one', () => {
    const reset = new Error('read ECONNRESET', {
      cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }),
    });
    const closed = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isRetryableConnectionFailure('GET', reset)).toBe(true);
    expect(isRetryableConnectionFailure('HEAD', closed)).toBe(true);
    expect(isRetryableConnectionFailure('PUT', closed)).toBe(false);
    expect(isRetryableConnectionFailure('POST', reset)).toBe(false);
    expect(isRetryableConnectionFailure('GET', refused)).toBe(false);
  });

  it('turns retries off with false and rejects nonsensical limits', () => {
    expect(retryPolicy(false).maxRetries).toBe(0);
    expect(retryPolicy({ maxRetries: 2 })).toEqual({
      maxRetries: 2,
      baseDelayMs: 200,
      maxDelayMs: 30_000,
      maxTotalWaitMs: 60_000,
    });
    expect(() => retryPolicy({ maxTotalWaitMs: -1 })).toThrow(
      'retry.maxTotalWaitMs must be a finite number >= 0, got -1',
    );
  });
});

describe('RestClient retries against a server that asks for them', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    await server.client().create(ConfigMapResource, cm('target'));
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.faults.reset();
    server.clearRequests();
  });

  const client = (options: FakeClientOptions = {}) => server.client({}, options);
  /** Statuses of the requests to one path, in order, and the gaps between them in ms. */
  const attempts = (method: string, pathEnd: string) => {
    const matching = server.requests.filter((r) => r.method === method && r.path.endsWith(pathEnd));
    return {
      statuses: matching.map((r) => r.status),
      gaps: matching.slice(1).map((r, i) => r.at - (matching[i]?.at ?? 0)),
    };
  };

  it('retries a GET on 503 after the Retry-After the server sent, each time', async () => {
    server.faults.failNext({ status: 503, retryAfterSeconds: 1, count: 2, match: { method: 'GET' } });
    const read = await client().get(ConfigMapResource, 'target', { namespace: 'default' });
    expect(read.metadata?.name).toBe('target');
    const { statuses, gaps } = attempts('GET', '/configmaps/target');
    expect(statuses).toEqual([503, 503, 200]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
  });

  it('retries idempotent writes (PUT, DELETE) on 5xx', async () => {
    const c = client({ retry: { baseDelayMs: 10 } });
    const current = await c.get(ConfigMapResource, 'target', { namespace: 'default' });
    server.faults.failNext({ status: 500, match: { method: 'PUT' } });
    await c.update(ConfigMapResource, { ...current, data: { a: '2' } });
    expect(attempts('PUT', '/configmaps/target').statuses).toEqual([500, 200]);

    await c.create(ConfigMapResource, cm('doomed'));
    server.faults.failNext({ status: 502, match: { method: 'DELETE' } });
    await c.delete(ConfigMapResource, 'doomed', { namespace: 'default' });
    expect(attempts('DELETE', '/configmaps/doomed').statuses).toEqual([502, 200]);
  });

  it('never repeats a POST or PATCH the server may have applied (5xx), but does after a 429', async () => {
    const c = client({ retry: { baseDelayMs: 10 } });
    server.faults.failNext({ status: 503, retryAfterSeconds: 1, match: { method: 'POST' } });
    expect((await apiError(c.create(ConfigMapResource, cm('once')))).code).toBe(503);
    expect(attempts('POST', '/configmaps').statuses).toEqual([503]);

    server.faults.failNext({ status: 500, match: { method: 'PATCH' } });
    expect(
      (await apiError(c.patch(ConfigMapResource, 'target', { data: { b: '1' } }, { namespace: 'default' })))
        .code,
    ).toBe(500);
    expect(attempts('PATCH', '/configmaps/target').statuses).toEqual([500]);

    server.clearRequests();
    server.faults.failNext({ status: 429, retryAfterSeconds: 1, match: { method: 'POST' } });
    await c.create(ConfigMapResource, cm('throttled'));
    const { statuses, gaps } = attempts('POST', '/configmaps');
    expect(statuses).toEqual([429, 201]);
    expect(gaps[0]).toBeGreaterThanOrEqual(950);
  });

  it('stops after maxRetries and throws the last answer', async () => {
    server.faults.failNext({ status: 503, count: 5, match: { method: 'GET' } });
    const err = await apiError(
      client({ retry: { maxRetries: 2, baseDelayMs: 10 } }).get(ConfigMapResource, 'target', {
        namespace: 'default',
      }),
    );
    expect(err.code).toBe(503);
    expect(attempts('GET', '/configmaps/target').statuses).toEqual([503, 503, 503]);
  });

  it('does not start a wait that would exceed maxTotalWaitMs', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 1, count: 5, match: { method: 'GET' } });
    const err = await apiError(
      client({ retry: { maxTotalWaitMs: 1_500 } }).get(ConfigMapResource, 'target', { namespace: 'default' }),
    );
    expect(err.code).toBe(429);
    // One 1 s wait fits in 1.5 s, a second one would not.
    expect(attempts('GET', '/configmaps/target').statuses).toEqual([429, 429]);
  });

  it('caps a long Retry-After at maxDelayMs', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 3600, match: { method: 'GET' } });
    await client({ retry: { maxDelayMs: 100 } }).get(ConfigMapResource, 'target', { namespace: 'default' });
    expect(attempts('GET', '/configmaps/target').statuses).toEqual([429, 200]);
  });

  it('retry: false throws the first error', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 1, match: { method: 'GET' } });
    const err = await apiError(
      client({ retry: false }).get(ConfigMapResource, 'target', { namespace: 'default' }),
    );
    expect(err.code).toBe(429);
    expect(err.retryAfterMs).toBe(1000);
    expect(attempts('GET', '/configmaps/target').statuses).toEqual([429]);
  });
});

describe('RestClient retries a GET whose connection broke before any answer', () => {
  it('sends a GET again, but never a POST', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      // Every first request of a method is cut off without an answer, as a proxy dropping a connection does.
      if (requests === 1 || (req.method === 'POST' && requests === 3)) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = RestClient.fromKubeConfig(
      { text: fakeKubeConfig(url, 'token') },
      { retry: { baseDelayMs: 10 } },
    );
    try {
      expect(await client.request({ path: '/x' })).toEqual({ ok: true });
      expect(requests).toBe(2);
      const err = await client.request({ method: 'POST', path: '/x', body: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(requests).toBe(3);
    } finally {
      await client.pool.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
