import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ConfigMapResource } from './builtins.ts';
import { Client } from './client.ts';
import {
  ApiError,
  ConnectionError,
  KubeConfigError,
  TimeoutError,
  isNotFound,
  isUnauthorized,
} from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-client-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(server: string, user: Record<string, unknown>, context = 'dev'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: context, context: { cluster: 'c', user: 'u' } }],
    'current-context': context,
  });
}

/** Every message in an error's cause chain. */
function messages(err: unknown): string {
  const out: string[] = [];
  for (let e = err; e instanceof Error; e = e.cause) out.push(e.message);
  return out.join(' | ');
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('client errors', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  });
  afterAll(() => server.stop());

  it('names the kubeconfig file and the contexts it has when the context is missing', () => {
    const path = join(dir, 'missing-context.yaml');
    writeFileSync(path, kubeconfig(server.url, { token: 'x' }));
    expect(() => Client.fromKubeConfig({ path, context: 'prod' })).toThrow(KubeConfigError);
    expect(() => Client.fromKubeConfig({ path, context: 'prod' })).toThrow(
      `kubeconfig ${path} has no context "prod"; it has "dev"`,
    );
    expect(() => Client.fromKubeConfig({ path: join(dir, 'nope.yaml') })).toThrow(/does not exist/);
  });

  it('names the server when it cannot be reached', async () => {
    const client = Client.fromKubeConfig({ text: kubeconfig('http://127.0.0.1:1', { token: 'x' }) });
    const err = await caught(client.get(ConfigMapResource, 'a', { namespace: 'default' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(messages(err)).toMatch(
      /GET http:\/\/127\.0\.0\.1:1\/api\/v1\/namespaces\/default\/configmaps\/a: cannot reach the server: .*ECONNREFUSED/,
    );
  });

  it('reports an expired exec credential with kubeconfig, context and cause, and never the token', async () => {
    const token = 'expired-secret-token-1234567890';
    const plugin = join(dir, 'expired-credential.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}","expirationTimestamp":"2000-01-01T00:00:00Z"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const path = join(dir, 'exec.yaml');
    writeFileSync(
      path,
      kubeconfig(server.url, {
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' },
      }),
    );
    const client = Client.fromKubeConfig({ path });
    const err = await caught(client.get(ConfigMapResource, 'a', { namespace: 'default' }));
    expect(isUnauthorized(err)).toBe(true);
    expect(messages(err)).toContain(`the credentials from kubeconfig ${path}, context "dev" were rejected`);
    expect(messages(err)).not.toContain(token);
    expect(JSON.stringify(err)).not.toContain(token);
  });

  it('reports a failing exec plugin with kubeconfig and context, without echoing secrets', async () => {
    const plugin = join(dir, 'failing-plugin.sh');
    writeFileSync(plugin, '#!/bin/sh\necho "login failed for token=abc123supersecret" >&2\nexit 1\n');
    chmodSync(plugin, 0o755);
    const path = join(dir, 'failing-exec.yaml');
    writeFileSync(
      path,
      kubeconfig(server.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } }),
    );
    const err = await caught(
      Client.fromKubeConfig({ path }).get(ConfigMapResource, 'a', { namespace: 'default' }),
    );
    expect(err).toBeInstanceOf(KubeConfigError);
    expect(messages(err)).toContain(`kubeconfig ${path}, context "dev": could not obtain credentials`);
    expect(messages(err)).not.toContain('abc123supersecret');
  });

  it('retries a 401 once with refreshed credentials', async () => {
    const client = server.client();
    server.faults.failNext({ status: 401 });
    server.clearRequests();
    await client.list(ConfigMapResource);
    expect(server.requests.map((r) => r.status)).toEqual([401, 200]);
  });

  it('parses Status bodies into ApiError', async () => {
    const err = await caught(server.client().get(ConfigMapResource, 'missing', { namespace: 'default' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(isNotFound(err)).toBe(true);
    expect((err as ApiError).reason).toBe('NotFound');
    expect((err as ApiError).status.details?.name).toBe('missing');
    expect((err as ApiError).message).toContain(
      '/api/v1/namespaces/default/configmaps/missing: 404 NotFound',
    );
  });

  it('restarts a paged list whose continue token expired', async () => {
    server.seed(
      ConfigMapResource,
      Array.from({ length: 6 }, (_, i) => ({ metadata: { name: `p-${i}`, namespace: 'paged' } })),
    );
    let requests = 0;
    // Expire the continue token exactly when the second page is requested.
    const rest = server.client().rest.withObserver({
      requestStarted: () => {
        if (++requests === 2) server.faults.failNext({ status: 410, reason: 'Expired' });
      },
    });
    const all = await new Client(rest).list(ConfigMapResource, { namespace: 'paged', limit: 2 });
    expect(all.items.map((o) => o.metadata?.name)).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5']);
    expect(all.metadata.continue).toBeUndefined();
    // page 1, page 2 (410), then pages 1-3 again.
    expect(requests).toBe(5);
  });

  it('times out a request that never gets an answer', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const client = Client.fromKubeConfig(
        { text: kubeconfig(`http://127.0.0.1:${port}`, { token: 'x' }) },
        { timeoutMs: 200 },
      );
      const err = await caught(client.get(ConfigMapResource, 'a', { namespace: 'default' }));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(messages(err)).toContain('no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
