import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { StaticProvider } from '../cluster/static-provider.ts';
import { ControllerBuilder } from '../controller/controller-builder.ts';
import { silentLogger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { Manager } from './manager.ts';

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('Manager lifecycle with real controllers', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  let root: Client;
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    root = server.client();
  });
  afterEach(() => server.stop());

  it('lets in-flight reconciles finish with a live signal during graceful shutdown', async () => {
    const log: string[] = [];
    const manager = new Manager({ local: root, logger: silentLogger, gracefulShutdownMs: 5_000 });
    manager.add(
      new ControllerBuilder('slow')
        .for(ConfigMapResource, { clusters: 'local' })
        .build(async (req, { signal, cluster }) => {
          log.push('start');
          await new Promise((r) => setTimeout(r, 400));
          // A graceful drain must not cut the reconcile's own writes off.
          await cluster.client.patch(
            ConfigMapResource,
            req.name,
            { data: { done: 'yes' } },
            { namespace: req.namespace, signal },
          );
          log.push(`end aborted=${signal.aborted}`);
        }),
    );
    const running = manager.start();
    await root.create(ConfigMapResource, { metadata: { name: 'a', namespace: 'default' } });
    await waitFor(() => log.includes('start'), { what: 'reconcile start', intervalMs: 10 });
    await manager.stop();
    await running;
    expect(log).toEqual(['start', 'end aborted=false']);
    expect((await root.get(ConfigMapResource, 'a', { namespace: 'default' })).data?.done).toBe('yes');
  });

  it('leaves the connections of a client it was given open after it stops', async () => {
    const manager = new Manager({
      local: root.withServer(`${server.url}/clusters/mgr`),
      logger: silentLogger,
    });
    const running = manager.start();
    await manager.started;
    await manager.stop();
    await running;
    // Another client derived from the same root (same connection pool) still works.
    await expect(root.list(ConfigMapResource)).resolves.toBeDefined();
  });

  it('treats a client for a kcp workspace URL as a cluster, whatever the workspace logical name', async () => {
    // Objects read through /clusters/<x> carry kcp.io/cluster: <x>; the provider's cluster is named otherwise.
    const workspace = root.withServer(`${server.url}/clusters/2x9kq1`);
    await workspace.create(ConfigMapResource, { metadata: { name: 'hello', namespace: 'default' } });
    const provider = new StaticProvider({ logger: silentLogger });
    provider.add('root:shop', workspace);
    const manager = new Manager({ local: root, provider, logger: silentLogger });
    const seen: string[] = [];
    manager.add(
      new ControllerBuilder('reader').for(ConfigMapResource).build(async (req, { cluster }) => {
        const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
        seen.push(`${req.cluster}/${req.name}:${cm ? 'cached' : 'missing'}`);
      }),
    );
    const running = manager.start();
    await waitFor(() => seen.length > 0, { what: 'a reconcile', intervalMs: 10 });
    expect(seen).toEqual(['root:shop/hello:cached']);
    await manager.stop();
    await running;
  });
});
