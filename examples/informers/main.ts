/**
 * One SharedInformer caching ConfigMaps of two kcp workspaces through a wildcard view, as a provider
 * controller would through an APIExport virtual workspace. It runs against kubeloom's in-process
 * FakeApiServer, which speaks kcp's `/clusters/<name>` and `/clusters/*` URLs, so it needs no cluster:
 *
 *   node examples/informers/main.ts
 */
import { ConfigMapResource, SharedInformer, clusterOf, waitFor } from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';

export async function main(log: (line: string) => void = console.log): Promise<string[]> {
  const server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  const root = server.client();
  const shop = root.withServer(`${server.url}/clusters/shop`);
  const blog = root.withServer(`${server.url}/clusters/blog`);
  const everywhere = root.withServer(`${server.url}/clusters/*`);
  const seen: string[] = [];
  const controller = new AbortController();
  try {
    // The same namespace/name in two workspaces.
    await shop.create(ConfigMapResource, {
      metadata: { name: 'settings', namespace: 'default' },
      data: { theme: 'dark' },
    });
    await blog.create(ConfigMapResource, {
      metadata: { name: 'settings', namespace: 'default' },
      data: { theme: 'light' },
    });

    const informer = new SharedInformer(everywhere, ConfigMapResource);
    informer.start(controller.signal);
    await informer.waitForSync();
    log(`cached ${informer.store.size} ConfigMaps from one watch`);

    // A handler for one workspace only: replayed that workspace's objects, then told about its changes.
    informer.addHandler(
      {
        onAdd: (cm, initial) =>
          seen.push(`${initial ? 'replayed' : 'added'} ${clusterOf(cm)}/${cm.metadata?.name}`),
        onUpdate: (_old, cm) =>
          seen.push(`updated ${clusterOf(cm)}/${cm.metadata?.name} theme=${cm.data?.theme}`),
      },
      { cluster: 'shop' },
    );
    await shop.patch(
      ConfigMapResource,
      'settings',
      { data: { theme: 'solarized' } },
      { namespace: 'default' },
    );
    await blog.patch(ConfigMapResource, 'settings', { data: { theme: 'sepia' } }, { namespace: 'default' });
    await waitFor(
      () => informer.scoped('blog').get('settings', 'default')?.data?.theme === 'sepia' && seen.length === 2,
      { what: 'both updates to reach the cache' },
    );

    for (const workspace of ['shop', 'blog']) {
      const cm = informer.scoped(workspace).get('settings', 'default');
      log(`${workspace}: default/settings theme=${cm?.data?.theme}`);
    }
    for (const line of seen) log(`shop handler: ${line}`);
    return seen;
  } finally {
    controller.abort();
    await server.stop();
  }
}

if (import.meta.main) await main();
