import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource, EventResource, LeaseResource } from '../client/builtins.ts';
import type { KubeObject } from '../client/object.ts';
import { defineResource } from '../client/resource.ts';
import { StaticProvider } from '../cluster/static-provider.ts';
import { memoryLogger } from '../controller/cluster-fixture.test.support.ts';
import { ControllerBuilder } from '../controller/controller-builder.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { Manager } from './manager.ts';

// A resource the fake server does not serve until the test registers it: the in-process stand-in for a
// CRD that is not installed. The same on real kcp is test/e2e/manager-readiness.test.ts.
const WidgetResource = defineResource<KubeObject>({
  group: 'example.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

const until = (what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 15_000) =>
  waitFor(async () => (await probe()) || undefined, { what, timeoutMs, intervalMs: 20 });

describe('Manager readiness with a resource the server does not serve', () => {
  let server: FakeApiServer;
  let stop: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, EventResource, LeaseResource] });
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    await server.stop();
  });

  it('stays unready naming the controller, resource, cluster and watch error, then becomes ready once it is served', async () => {
    const logger = memoryLogger();
    const provider = new StaticProvider({ informerOptions: { backoff: { initialMs: 10, maxMs: 50 } } });
    provider.add('root:consumer-a', server.client({ cluster: 'root:consumer-a' }));
    const manager = new Manager({
      local: server.client(),
      provider,
      logger,
      defaultMetrics: false,
      healthProbeBindAddress: '127.0.0.1:0',
    });
    const controller = new ControllerBuilder('widgets')
      .for(WidgetResource)
      .withOptions({ cacheSyncTimeoutMs: 300, logger: manager.logger })
      .build(async () => {});
    manager.add(controller);
    const done = manager.start();
    stop = async () => {
      await manager.stop();
      await done;
    };
    await manager.started;
    const readyz = `http://127.0.0.1:${manager.healthProbeAddress?.port}/readyz`;

    const waitingFor =
      'Widget (example.io/v1) in cluster root:consumer-a (the server does not serve it: 404)';
    let body = '';
    await until('/readyz to say that the server does not serve the resource', async () => {
      body = await (await fetch(readyz)).text();
      return body.includes('does not serve');
    });
    expect(body).toBe(
      `[-]manager failed: waiting for the caches of controller widgets to sync: ${waitingFor}\nreadyz check failed\n`,
    );
    expect((await fetch(readyz)).status).toBe(503);

    // The controller's sync timeout passes: it is reported with the same reason, and is not taken for ready.
    const warning = `the caches of controller widgets have not synced in time: ${waitingFor}; /readyz fails until they have`;
    await until('the sync-timeout warning', () =>
      logger.lines.some((l) => l.level === 'warn' && l.msg === warning),
    );
    // The controller's own report of the cluster (its timer runs apart from the manager's).
    await until('the controller error about the cluster', () =>
      logger.lines.some(
        (l) =>
          l.level === 'error' &&
          l.msg ===
            `the watches of a cluster have not synced within 300 ms: ${waitingFor}; its reconciles wait until they have`,
      ),
    );
    expect(manager.ready).toBe(false);
    expect(logger.lines.filter((l) => l.msg === 'manager is ready')).toEqual([]);

    server.register(WidgetResource);
    await until('ready once the resource is served', () => manager.ready);
    const res = await fetch(readyz);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await until('the ready log line', () => logger.lines.some((l) => l.msg === 'manager is ready'));
    expect(logger.lines.filter((l) => l.msg === 'manager is ready')).toHaveLength(1);
  }, 30_000);
});
