import { type Subscription, bufferTime, filter, from, map } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource, type ConfigMap } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { clusterOf } from '../client/object.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import type { WatchEvent } from '../watch/watch-event.ts';
import { watchResource } from '../watch/watcher.ts';
import { type InformerEvent, informerEvents } from './informer-events.ts';
import { reflect } from './reflect.ts';
import { SharedInformer } from './shared-informer.ts';
import { Store } from './store.ts';

const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default' },
  data,
});
const fast = { backoff: { initialMs: 10, maxMs: 50, jitter: 0 } };
const names = (store: Store<ConfigMap>): string[] =>
  [...store.values()].map((o) => o.metadata?.name ?? '').toSorted();

describe('watch streams as rxjs Observables', () => {
  let server: FakeApiServer;
  let client: Client;
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 50 });
    client = server.client();
  });
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    await server.stop();
  });

  it('reflects init, apply and delete into a store and passes the events on', async () => {
    server.seed(ConfigMapResource, [cm('a'), cm('b')]);
    const store = new Store<ConfigMap>();
    const seen: { type: string; storeSize: number }[] = [];
    subscriptions.push(
      watchResource(client, ConfigMapResource, fast)
        .pipe(reflect(store))
        .subscribe((e) => seen.push({ type: e.type, storeSize: store.size })),
    );
    await waitFor(() => seen.some((e) => e.type === 'initDone'), { what: 'the initial list' });
    expect(seen.slice(0, 4)).toEqual([
      { type: 'init', storeSize: 0 },
      { type: 'initApply', storeSize: 1 },
      { type: 'initApply', storeSize: 2 },
      { type: 'initDone', storeSize: 2 },
    ]);

    await client.create(ConfigMapResource, cm('c'));
    await client.delete(ConfigMapResource, 'a', { namespace: 'default' });
    await waitFor(() => seen.some((e) => e.type === 'delete'), { what: 'the delete of a' });
    expect(names(store)).toEqual(['b', 'c']);
  });

  it('composes with filter, map and bufferTime', async () => {
    const batches: string[][] = [];
    subscriptions.push(
      watchResource(client, ConfigMapResource, fast)
        .pipe(
          filter((e): e is Extract<WatchEvent<ConfigMap>, { type: 'apply' }> => e.type === 'apply'),
          map((e) => e.object.metadata?.name ?? ''),
          bufferTime(50),
          filter((batch) => batch.length > 0),
        )
        .subscribe((batch) => batches.push(batch)),
    );
    await waitFor(() => server.openWatches === 1, { what: 'the watch to open' });
    for (const name of ['x', 'y', 'z']) await client.create(ConfigMapResource, cm(name));
    await waitFor(() => batches.flat().length === 3, { what: 'three applies' });
    expect(batches.flat()).toEqual(['x', 'y', 'z']);
  });

  it('closes the watch on the server when the last subscriber unsubscribes', async () => {
    const subscription = watchResource(client, ConfigMapResource, fast).subscribe();
    await waitFor(() => server.openWatches === 1, { what: 'the watch to open' });
    subscription.unsubscribe();
    await waitFor(() => server.openWatches === 0, { what: 'the server to see the watch closed' });
    expect(server.openWatches).toBe(0);
  });

  it('delivers failures as error events and keeps the stream open', async () => {
    server.faults.failNext({ status: 503, count: 2, match: { watch: true } });
    const events: WatchEvent<ConfigMap>[] = [];
    let streamError: unknown;
    subscriptions.push(
      watchResource(client, ConfigMapResource, fast).subscribe({
        next: (e) => events.push(e),
        error: (err: unknown) => {
          streamError = err;
        },
      }),
    );
    await waitFor(() => server.openWatches === 1, { what: 'the watch to open after two failures' });
    await client.create(ConfigMapResource, cm('after'));
    await waitFor(() => events.some((e) => e.type === 'apply'), { what: 'the apply after the failures' });
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error.message] : []));
    expect(errors[0]).toMatch(
      new RegExp(`^watch of configmaps/v1 at ${server.url}/api/v1/configmaps failed: 503 ServiceUnavailable`),
    );
    expect(streamError).toBeUndefined();
  });
});

describe('reflect', () => {
  it('drops the objects a relist no longer returns', () => {
    const store = new Store<ConfigMap>();
    const events: WatchEvent<ConfigMap>[] = [
      { type: 'init' },
      { type: 'initApply', object: cm('a') },
      { type: 'initApply', object: cm('b') },
      { type: 'initDone', resourceVersion: '1' },
      { type: 'apply', object: cm('c') },
      { type: 'init', reason: '410 Gone' },
      { type: 'initApply', object: cm('b') },
      { type: 'initDone', resourceVersion: '9' },
    ];
    const passed: string[] = [];
    from(events)
      .pipe(reflect(store))
      .subscribe((e) => passed.push(e.type));
    expect(names(store)).toEqual(['b']);
    expect(passed).toEqual(events.map((e) => e.type));
  });
});

/** An informer event as a short string such as `add(initial):a/old`. */
const describeEvent = (e: InformerEvent<ConfigMap>): string =>
  `${e.type}${e.type === 'add' && e.initial ? '(initial)' : ''}:${clusterOf(e.object)}/${e.object.metadata?.name}`;

describe('informerEvents', () => {
  let server: FakeApiServer;
  let informer: SharedInformer<ConfigMap>;
  let inA: Client;
  let inB: Client;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 100 });
    const client = server.client();
    inA = client.withServer(`${server.url}/clusters/a`);
    inB = client.withServer(`${server.url}/clusters/b`);
    informer = new SharedInformer(client.withServer(`${server.url}/clusters/*`), ConfigMapResource, fast);
  });
  afterEach(async () => {
    informer.stop();
    await server.stop();
  });

  it('replays the store to a late subscriber, then streams one cluster', async () => {
    await inA.create(ConfigMapResource, cm('old-a'));
    await inB.create(ConfigMapResource, cm('old-b'));
    informer.start();
    await informer.waitForSync();

    const inClusterA: string[] = [];
    const everywhere: string[] = [];
    const a = informerEvents(informer, { cluster: 'a' }).subscribe((e) => inClusterA.push(describeEvent(e)));
    const all = informerEvents(informer).subscribe((e) => everywhere.push(describeEvent(e)));
    expect(inClusterA).toEqual(['add(initial):a/old-a']);
    expect(everywhere.toSorted()).toEqual(['add(initial):a/old-a', 'add(initial):b/old-b']);

    await inA.create(ConfigMapResource, cm('new'));
    await inA.patch(ConfigMapResource, 'new', { data: { v: '2' } }, { namespace: 'default' });
    await inB.delete(ConfigMapResource, 'old-b', { namespace: 'default' });
    await inA.delete(ConfigMapResource, 'new', { namespace: 'default' });
    await waitFor(() => everywhere.length === 6, { what: 'four more events' });
    expect(inClusterA).toEqual(['add(initial):a/old-a', 'add:a/new', 'update:a/new', 'delete:a/new']);
    expect(everywhere.slice(2)).toEqual(['add:a/new', 'update:a/new', 'delete:b/old-b', 'delete:a/new']);

    a.unsubscribe();
    all.unsubscribe();
    expect(informer.handlerCount).toBe(0);
    expect(informer.running).toBe(true);
  });

  it('skips the replay when asked', async () => {
    await inA.create(ConfigMapResource, cm('old'));
    informer.start();
    await informer.waitForSync();
    const seen: string[] = [];
    const subscription = informerEvents(informer, { replay: false }).subscribe((e) =>
      seen.push(describeEvent(e)),
    );
    await inA.create(ConfigMapResource, cm('new'));
    await waitFor(() => seen.length === 1, { what: 'the add of new' });
    expect(seen).toEqual(['add:a/new']);
    subscription.unsubscribe();
  });
});
