import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, ConfigMapResource } from '../client/builtins.ts';
import { KubeConfigError } from '../client/errors.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { ClusterNotFoundError } from './cluster.ts';
import type { InformerCache } from './informer-cache.ts';
import { SingleClusterProvider } from './single-provider.ts';
import { StaticProvider } from './static-provider.ts';
import { recordingAware } from '../testing/recording-aware.ts';

const byTeam = (cm: ConfigMap): string[] => (cm.metadata?.labels?.team ? [cm.metadata.labels.team] : []);

describe('StaticProvider', () => {
  let server: FakeApiServer;
  let stop: AbortController;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await server.stop();
  });

  it('engages clusters added before and after start, and disengages removed ones', async () => {
    const provider = new StaticProvider();
    const aware = recordingAware();
    provider.add('a', server.client({ cluster: 'a' }));
    const running = provider.start(aware, stop.signal);
    await provider.ready;
    expect(aware.live()).toEqual(['a']);
    provider.add('b', server.client({ cluster: 'b' }));
    expect(aware.live()).toEqual(['a', 'b']);
    expect(provider.names()).toEqual(['a', 'b']);
    expect((await provider.get('b')).client.rest.server).toBe(`${server.url}/clusters/b`);

    expect(provider.remove('a')).toBe(true);
    expect(provider.remove('a')).toBe(false);
    expect(aware.live()).toEqual(['b']);
    await expect(provider.get('a')).rejects.toBeInstanceOf(ClusterNotFoundError);

    stop.abort();
    await running;
    expect(aware.live()).toEqual([]);
  });

  it('replacing a cluster disengages the old engagement and engages the new cluster', async () => {
    const provider = new StaticProvider();
    const aware = recordingAware();
    void provider.start(aware, stop.signal);
    const first = provider.add('x', server.client({ cluster: 'one' }));
    const second = provider.add('x', server.client({ cluster: 'two' }));
    expect(aware.engaged.map((e) => [e.cluster, e.signal.aborted])).toEqual([
      [first, true],
      [second, false],
    ]);
  });

  it('gives clusters built from clients working informers that stop with the cluster', async () => {
    await server.client().create(ConfigMapResource, { metadata: { name: 'cm', namespace: 'default' } });
    const provider = new StaticProvider();
    void provider.start(recordingAware(), stop.signal);
    const cluster = provider.add('a', server.client());
    const informer = cluster.cache.informer(ConfigMapResource);
    await informer.waitForSync({ timeoutMs: 5000 });
    expect(cluster.cache.reader(ConfigMapResource).get('cm', 'default')?.metadata?.name).toBe('cm');
    expect(informer.running).toBe(true);
    provider.remove('a');
    expect(informer.running).toBe(false);
  });

  it('applies field indexes to current and future clusters', async () => {
    const other = await FakeApiServer.start({ resources: [ConfigMapResource] });
    const provider = new StaticProvider();
    void provider.start(recordingAware(), stop.signal);
    const a = provider.add('a', server.client());
    a.cache.informer(ConfigMapResource);
    await provider.indexField(ConfigMapResource, 'team', byTeam);
    const b = provider.add('b', other.client());
    await other.client().create(ConfigMapResource, {
      metadata: { name: 'cm', namespace: 'default', labels: { team: 'blue' } },
    });
    const informerB = b.cache.informer(ConfigMapResource);
    expect((a.cache as InformerCache).informer(ConfigMapResource).store.hasIndex('team')).toBe(true);
    expect(informerB.store.hasIndex('team')).toBe(true);
    await informerB.waitForSync({ timeoutMs: 5000 });
    await waitFor(() => b.cache.reader(ConfigMapResource).byIndex('team', 'blue').length === 1, {
      what: 'the indexed object',
      timeoutMs: 5000,
      intervalMs: 10,
    });
    stop.abort();
    await other.stop();
  });
});

describe('SingleClusterProvider', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('engages exactly one named cluster from a kubeconfig', async () => {
    const provider = new SingleClusterProvider('compute', { text: server.kubeconfig() });
    const aware = recordingAware();
    const stop = new AbortController();
    const running = provider.start(aware, stop.signal);
    await provider.ready;
    expect(aware.live()).toEqual(['compute']);
    expect((await provider.get('compute')).client.rest.server).toBe(server.url);
    await expect(provider.get('other')).rejects.toBeInstanceOf(ClusterNotFoundError);
    stop.abort();
    await running;
    expect(aware.live()).toEqual([]);
    await expect(provider.get('compute')).rejects.toBeInstanceOf(ClusterNotFoundError);
  });

  it('fails at construction on a bad kubeconfig, naming it', () => {
    expect(() => new SingleClusterProvider('x', { path: '/nonexistent/kubeconfig' })).toThrow(
      KubeConfigError,
    );
    expect(() => new SingleClusterProvider('x', { path: '/nonexistent/kubeconfig' })).toThrow(
      /\/nonexistent\/kubeconfig/,
    );
  });
});
