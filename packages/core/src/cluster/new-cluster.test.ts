import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource, type Event, EventResource } from '../client/builtins.ts';
import type { Logger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { isCluster, newCluster } from './new-cluster.ts';

describe('newCluster', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, EventResource] });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('builds a cluster with informers and an event recorder that live until its signal aborts', async () => {
    const lifetime = new AbortController();
    const bindings: Array<Record<string, unknown>> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child: (b) => {
        bindings.push(b);
        return logger;
      },
    };
    const client = server.client();
    await client.create(ConfigMapResource, { metadata: { name: 'cm', namespace: 'default', uid: 'u1' } });
    const cluster = newCluster('compute', client, {
      signal: lifetime.signal,
      logger,
      eventComponent: 'shop',
    });
    expect(cluster.name).toBe('compute');
    expect(isCluster(cluster)).toBe(true);
    expect(isCluster(client)).toBe(false);
    expect(bindings).toContainEqual({ cluster: 'compute' });

    const informer = cluster.cache.informer(ConfigMapResource);
    await informer.waitForSync({ timeoutMs: 5000 });
    const cm = cluster.cache.reader(ConfigMapResource).get('cm', 'default');
    expect(cm?.metadata?.name).toBe('cm');

    cluster.events.record(cm ?? {}, { type: 'Normal', reason: 'Seen', message: 'hello' });
    await cluster.events.flush();
    expect(server.objects<Event>(EventResource)).toMatchObject([
      { reason: 'Seen', source: { component: 'shop' } },
    ]);

    lifetime.abort();
    expect(informer.running).toBe(false);
    cluster.events.record(cm ?? {}, { type: 'Normal', reason: 'Late', message: 'dropped' });
    await cluster.events.flush();
    expect(server.objects<Event>(EventResource)).toHaveLength(1);
  });
});
