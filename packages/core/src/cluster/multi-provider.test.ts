import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, ConfigMapResource } from '../client/builtins.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ClusterNotFoundError, type Provider } from './cluster.ts';
import { MultiProvider } from './multi-provider.ts';
import { StaticProvider } from './static-provider.ts';
import { recordingAware } from '../testing/recording-aware.ts';

const byTeam = (cm: ConfigMap): string[] => [cm.metadata?.labels?.team ?? ''];

describe('MultiProvider', () => {
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

  it('prefixes cluster names with the provider name and routes get by prefix', async () => {
    const kcp = new StaticProvider();
    const compute = new StaticProvider();
    const a = kcp.add('root:a', server.client());
    const c = compute.add('kind-dev', server.client());
    const multi = new MultiProvider();
    await multi.addProvider('kcp', kcp);
    await multi.addProvider('compute', compute);
    const aware = recordingAware();
    void multi.start(aware, stop.signal);
    await multi.ready;
    expect(aware.live()).toEqual(['compute#kind-dev', 'kcp#root:a']);
    expect(await multi.get('kcp#root:a')).toBe(a);
    expect(await multi.get('compute#kind-dev')).toBe(c);
    await expect(multi.get('kcp#root:b')).rejects.toBeInstanceOf(ClusterNotFoundError);
    await expect(multi.get('nope#x')).rejects.toThrow(/no provider named "nope"/);
    await expect(multi.get('root:a')).rejects.toThrow(/no "#" provider prefix/);
    expect(multi.providerNames()).toEqual(['compute', 'kcp']);

    kcp.add('root:b', server.client());
    expect(aware.live()).toContain('kcp#root:b');
  });

  it('adds and removes providers while running; removing disengages their clusters', async () => {
    const multi = new MultiProvider({ separator: '/' });
    const aware = recordingAware();
    void multi.start(aware, stop.signal);
    const late = new StaticProvider();
    late.add('x', server.client());
    await multi.addProvider('late', late);
    await late.ready;
    expect(aware.live()).toEqual(['late/x']);
    expect(multi.removeProvider('late')).toBe(true);
    expect(multi.removeProvider('late')).toBe(false);
    expect(aware.live()).toEqual([]);
    await expect(multi.get('late/x')).rejects.toBeInstanceOf(ClusterNotFoundError);
  });

  it('rejects bad and duplicate provider names', async () => {
    const multi = new MultiProvider();
    await expect(multi.addProvider('a#b', new StaticProvider())).rejects.toThrow(/must not contain "#"/);
    await expect(multi.addProvider('', new StaticProvider())).rejects.toThrow(/non-empty/);
    await multi.addProvider('a', new StaticProvider());
    await expect(multi.addProvider('a', new StaticProvider())).rejects.toThrow(/already added/);
  });

  it('fans field indexes out to current and future providers and their future clusters', async () => {
    const multi = new MultiProvider();
    const first = new StaticProvider();
    await multi.addProvider('first', first);
    await multi.indexField(ConfigMapResource, 'team', byTeam);
    const second = new StaticProvider();
    await multi.addProvider('second', second);
    void multi.start(recordingAware(), stop.signal);
    const clusters = [first.add('a', server.client()), second.add('b', server.client())];
    for (const cluster of clusters) {
      expect(cluster.cache.informer(ConfigMapResource).store.hasIndex('team')).toBe(true);
    }
  });

  it('keeps running when a member fails, and ready waits for every member', async () => {
    const multi = new MultiProvider();
    const failing: Provider = {
      get: (name) => Promise.reject(new ClusterNotFoundError(name)),
      start: () => Promise.reject(new Error('boom')),
    };
    const release = Promise.withResolvers<void>();
    const slow: Provider = {
      get: (name) => Promise.reject(new ClusterNotFoundError(name)),
      ready: release.promise,
    };
    await multi.addProvider('failing', failing);
    await multi.addProvider('slow', slow);
    const ok = new StaticProvider();
    await multi.addProvider('ok', ok);
    void multi.start(recordingAware(), stop.signal);
    let ready = false;
    void multi.ready.then(() => {
      ready = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(ready).toBe(false);
    release.resolve();
    await multi.ready;
    expect(ready).toBe(true);
  });
});
