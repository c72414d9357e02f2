import { type Server, type Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigMapResource } from '../client/builtins.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { HttpLivenessProbe } from './liveness.ts';

describe('HttpLivenessProbe', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('finds a server that answers alive, whatever the status', async () => {
    const server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    cleanups.push(() => server.stop());
    const probe = new HttpLivenessProbe(server.client().rest);
    expect(await probe.check({ since: Date.now(), timeoutMs: 2_000 })).toEqual({ alive: true });
  });

  it('gives up on a server that accepts the connection and then says nothing, at its own deadline', {
    timeout: 20_000,
  }, async () => {
    // Accepts TCP connections and never answers: a frozen proxy.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const api = await FakeApiServer.start({ resources: [ConfigMapResource] });
    cleanups.push(() => api.stop());
    const probe = new HttpLivenessProbe(api.client().rest.withServer(`http://127.0.0.1:${port}/clusters/x`));
    const started = Date.now();
    const result = await probe.check({ since: started, timeoutMs: 300 });
    expect(result).toEqual({
      alive: false,
      reason: `GET http://127.0.0.1:${port}/version got no answer within 300 ms`,
    });
    // The server never answers, so only the probe's 300 ms deadline ends the check. The bound is loose
    // because a loaded machine fires that timer late, yet far below any socket or OS timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('shares a probe between watches of one origin, but not one that started before they went quiet', async () => {
    const server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    cleanups.push(() => server.stop());
    const client = server.client();
    const a = new HttpLivenessProbe(client.rest.withServer(`${server.url}/clusters/a`));
    const b = new HttpLivenessProbe(client.rest.withServer(`${server.url}/clusters/b`));
    const versions = (): number => server.requests.filter((r) => r.path === '/version').length;
    const since = Date.now();
    await Promise.all([a.check({ since, timeoutMs: 2_000 }), b.check({ since, timeoutMs: 2_000 })]);
    expect(versions()).toBe(1);
    await b.check({ since: Date.now() + 1, timeoutMs: 2_000 });
    expect(versions()).toBe(2);
  });
});
