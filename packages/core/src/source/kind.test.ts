import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, ConfigMapResource } from '../client/builtins.ts';
import { fakeCluster, memoryLogger } from '../controller/cluster-fixture.test.support.ts';
import { enqueueForObject } from '../handler/enqueue-for-object.ts';
import type { RequestHandler } from '../handler/request-handler.ts';
import { generationChanged } from '../predicate/changed-predicates.ts';
import { predicateFn } from '../predicate/predicate.ts';
import { type Request, requestKey } from '../reconcile/request.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { kind } from './kind.ts';
import type { SourceStartContext } from './source.ts';

const cm = (name: string, labels: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default', labels },
});
const until = (probe: () => boolean, what: string) =>
  waitFor(probe, { what, timeoutMs: 15_000, intervalMs: 5 });

let server: FakeApiServer;
let scope: AbortController;

beforeEach(async () => {
  server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 100 });
  scope = new AbortController();
});

afterEach(async () => {
  scope.abort();
  await server.stop();
});

/** An engagement of a fake cluster (scope `a`) under `name`, recording enqueued request keys. */
function engage(name: string, signal: AbortSignal) {
  const cluster = fakeCluster(server, name, scope.signal, 'a');
  const enqueued: string[] = [];
  const log = memoryLogger();
  const engagement: SourceStartContext = {
    clusterName: name,
    cluster,
    signal,
    log,
    enqueue: (r: Request) => enqueued.push(requestKey(r)),
  };
  return { cluster, enqueued, log, engagement };
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('kind source', { timeout: 30_000 }, () => {
  it('replays existing objects, follows changes of its cluster only and reports sync', async () => {
    const other = fakeCluster(server, 'b', scope.signal, 'b');
    const { cluster, enqueued, engagement } = engage('engaged-name', scope.signal);
    await cluster.client.create(ConfigMapResource, cm('existing'));
    const started = kind(ConfigMapResource, enqueueForObject<ConfigMap>()).start(engagement);
    await started.waitForSync({ signal: scope.signal });
    expect(started.hasSynced).toBe(true);
    await until(() => enqueued.length === 1, 'the existing object');
    await other.client.create(ConfigMapResource, cm('elsewhere'));
    await cluster.client.create(ConfigMapResource, cm('new'));
    await cluster.client.delete(ConfigMapResource, 'existing', { namespace: 'default' });
    await until(() => enqueued.length === 3, 'create and delete');
    expect(enqueued).toEqual([
      'engaged-name|default/existing',
      'engaged-name|default/new',
      'engaged-name|default/existing',
    ]);
  });

  it('removes its handler when the engagement ends, and registers none for an ended one', async () => {
    const engagementSignal = new AbortController();
    const { cluster, enqueued, engagement } = engage('x', engagementSignal.signal);
    const informer = cluster.cache.informer(ConfigMapResource);
    kind(ConfigMapResource, enqueueForObject<ConfigMap>()).start(engagement);
    expect(informer.handlerCount).toBe(1);
    engagementSignal.abort();
    expect(informer.handlerCount).toBe(0);
    kind(ConfigMapResource, enqueueForObject<ConfigMap>()).start(engagement);
    expect(informer.handlerCount).toBe(0);
    await cluster.client.create(ConfigMapResource, cm('late'));
    await until(() => informer.store.size === 1, 'the object to be cached');
    expect(enqueued).toEqual([]);
  });

  it('passes events through every predicate', async () => {
    const { cluster, enqueued, engagement } = engage('x', scope.signal);
    kind(
      ConfigMapResource,
      enqueueForObject<ConfigMap>(),
      predicateFn((o) => o.metadata?.labels?.watch === 'yes'),
      generationChanged(),
    ).start(engagement);
    await cluster.client.create(ConfigMapResource, cm('watched', { watch: 'yes' }));
    await cluster.client.create(ConfigMapResource, cm('ignored'));
    // ConfigMaps have no generation, so generationChanged drops every update.
    await cluster.client.patch(ConfigMapResource, 'watched', { data: { k: 'v' } }, { namespace: 'default' });
    await cluster.client.delete(ConfigMapResource, 'watched', { namespace: 'default' });
    await until(() => enqueued.length === 2, 'create and delete of the watched object');
    expect(enqueued).toEqual(['x|default/watched', 'x|default/watched']);
  });

  it('logs a throwing handler and keeps delivering', async () => {
    const { cluster, enqueued, log, engagement } = engage('x', scope.signal);
    const handler: RequestHandler<ConfigMap> = {
      ...enqueueForObject<ConfigMap>(),
      create: (object, context) => {
        if (object.metadata?.name === 'bad') throw new Error('handler bug');
        context.enqueue({
          cluster: context.clusterName,
          namespace: 'default',
          name: object.metadata?.name ?? '',
        });
      },
    };
    kind(ConfigMapResource, handler).start(engagement);
    await cluster.client.create(ConfigMapResource, cm('bad'));
    await cluster.client.create(ConfigMapResource, cm('good'));
    await until(() => enqueued.length === 1, 'the good object');
    expect(enqueued).toEqual(['x|default/good']);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'a handler or predicate failed on a create event; the event was dropped',
    ]);
  });
});
