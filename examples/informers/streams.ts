/**
 * The watcher → reflector → consumer stages as rxjs Observables, each usable on its own: a cold watch
 * reflected into a Store and filtered with rxjs operators, and a shared informer's changes for one
 * workspace as a hot Observable. Runs against the in-process FakeApiServer, so it needs no cluster:
 *
 *   node examples/informers/streams.ts
 */
import {
  type ConfigMap,
  ConfigMapResource,
  SharedInformer,
  Store,
  informerEvents,
  reflect,
  waitFor,
  watchResource,
} from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';
import { filter, map } from 'rxjs';

export async function streams(log: (line: string) => void = console.log): Promise<void> {
  const server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  const shop = server.client().withServer(`${server.url}/clusters/shop`);
  const everywhere = server.client().withServer(`${server.url}/clusters/*`);
  const stop = new AbortController();
  try {
    // 1. A cold watch: subscribing lists and watches, unsubscribing closes the watch.
    const store = new Store<ConfigMap>();
    const watch = watchResource(everywhere, ConfigMapResource)
      .pipe(
        reflect(store), // the store is up to date when an event reaches the next stage
        filter((e) => e.type === 'apply' || e.type === 'delete'),
        map((e) => `${e.type} ${e.object.metadata?.name} (store holds ${store.size})`),
      )
      .subscribe(log);

    // 2. A hot stream of one workspace's changes from a shared informer; a late subscriber is replayed.
    const informer = new SharedInformer(everywhere, ConfigMapResource);
    informer.start(stop.signal);
    await informer.waitForSync();
    const changes = informerEvents(informer, { cluster: 'shop' })
      .pipe(filter((e) => e.type !== 'update'))
      .subscribe((e) => log(`shop informer: ${e.type} ${e.object.metadata?.name}`));

    await shop.create(ConfigMapResource, { metadata: { name: 'settings', namespace: 'default' } });
    await shop.delete(ConfigMapResource, 'settings', { namespace: 'default' });
    await waitFor(() => store.size === 0 && informer.store.size === 0, { what: 'the delete to arrive' });
    watch.unsubscribe();
    changes.unsubscribe();
    await waitFor(() => server.openWatches === 1, { what: "the stream's watch to close" });
    log(`open watches after unsubscribing: ${server.openWatches} (the informer's)`);
  } finally {
    stop.abort();
    await server.stop();
  }
}

if (import.meta.main) await streams();
