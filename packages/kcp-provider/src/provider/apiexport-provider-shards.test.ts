import { waitFor } from '@kubeloom/core';
import { FakeApiServer, type RecordingAware, recordingAware } from '@kubeloom/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type APIBinding, APIBindingResource, APIExportEndpointSliceResource } from '../apis/apis.ts';
import { APIExportProvider } from './apiexport-provider.ts';

// Shard changes a real kcp cannot be made to do on demand: endpoints coming and going from the slice, an
// endpoint that refuses to serve for a while, and a workspace served by one endpoint and then another (kcp
// is adding migration between shards). Each "shard" is a fake API server whose base URL is the endpoint URL.

const SLICE_WORKSPACE = 'root:provider';

function binding(cluster: string): APIBinding {
  return {
    metadata: {
      name: 'widgets',
      annotations: { 'kcp.io/cluster': cluster, 'kcp.io/path': `root:${cluster}` },
    },
    spec: { reference: { export: { name: 'widgets', path: SLICE_WORKSPACE } } },
    status: { phase: 'Bound', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('APIExportProvider across shards (fake API servers)', { timeout: 30_000 }, () => {
  let home: FakeApiServer;
  let shardA: FakeApiServer;
  let shardB: FakeApiServer;
  let stop: AbortController;
  let aware: RecordingAware;

  const setEndpoints = (...shards: FakeApiServer[]): void => {
    home.emit(APIExportEndpointSliceResource, [
      {
        type: 'MODIFIED',
        object: {
          metadata: { name: 'widgets', annotations: { 'kcp.io/cluster': SLICE_WORKSPACE } },
          spec: { export: { name: 'widgets' } },
          // Newer kcp releases add a shard selector per endpoint; it must not confuse the provider.
          status: { endpoints: shards.map((s) => ({ url: s.url, shards: { matchAll: true } })) },
        },
      },
    ]);
  };

  const startProvider = (): APIExportProvider => {
    const provider = new APIExportProvider({
      client: home.client({ cluster: SLICE_WORKSPACE }),
      endpointSlice: 'widgets',
      informerOptions: { backoff: { initialMs: 20, maxMs: 100, quickMaxMs: 100 } },
    });
    void provider.start(aware, stop.signal);
    return provider;
  };

  /** The endpoint URL each live engagement of `cluster` is served through. */
  const servedThrough = (cluster: string): string[] =>
    aware.engaged
      .filter((e) => e.name === cluster && !e.signal.aborted)
      .map((e) => e.cluster.client.rest.server.replace(/\/clusters\/.*$/, ''));

  beforeEach(async () => {
    stop = new AbortController();
    aware = recordingAware();
    home = await FakeApiServer.start({ resources: [APIExportEndpointSliceResource] });
    shardA = await FakeApiServer.start({ resources: [APIBindingResource] });
    shardB = await FakeApiServer.start({ resources: [APIBindingResource] });
    home.seed(APIExportEndpointSliceResource, [
      {
        metadata: { name: 'widgets', annotations: { 'kcp.io/cluster': SLICE_WORKSPACE } },
        spec: { export: { name: 'widgets' } },
      },
    ]);
  });
  afterEach(async () => {
    stop.abort();
    await Promise.all([home.stop(), shardA.stop(), shardB.stop()]);
  });

  it('follows endpoints as they join and leave the slice: one watch per shard, the fleet is the union', async () => {
    shardA.seed(APIBindingResource, [binding('ws-a')]);
    shardB.seed(APIBindingResource, [binding('ws-b')]);
    setEndpoints(shardA);
    const provider = startProvider();
    await provider.ready;
    await waitFor(() => aware.live().join() === 'ws-a', { what: 'ws-a engaged', timeoutMs: 15_000 });

    setEndpoints(shardA, shardB);
    await waitFor(() => aware.live().join() === 'ws-a,ws-b', { what: 'ws-b engaged too', timeoutMs: 15_000 });
    expect(servedThrough('ws-a')).toEqual([shardA.url]);
    expect(servedThrough('ws-b')).toEqual([shardB.url]);
    expect(provider.endpointUrls()).toEqual([shardA.url, shardB.url]);
    expect([shardA.openWatches, shardB.openWatches]).toEqual([1, 1]);

    setEndpoints(shardB);
    await waitFor(() => aware.live().join() === 'ws-b', { what: 'ws-a disengaged', timeoutMs: 15_000 });
    expect(provider.clusterNames()).toEqual(['ws-b']);
    await waitFor(() => shardA.openWatches === 0, { what: "shard A's watch closed", timeoutMs: 15_000 });
    expect(aware.engaged.map((e) => e.name)).toEqual(['ws-a', 'ws-b']);
  });

  it('does not wait for an endpoint that is not serving yet, and engages its workspaces once it does', async () => {
    shardA.seed(APIBindingResource, [binding('ws-a')]);
    shardB.seed(APIBindingResource, [binding('ws-b')]);
    // What a virtual workspace answers before it serves the export's resources.
    shardB.faults.failNext({
      status: 404,
      count: 1_000_000,
      message: 'the server could not find the requested resource',
    });
    setEndpoints(shardA, shardB);
    const provider = startProvider();
    await provider.ready;
    await waitFor(() => aware.live().join() === 'ws-a', { what: 'ws-a engaged', timeoutMs: 15_000 });
    expect(provider.notReadyReason()).toBeUndefined();

    shardB.faults.reset();
    await waitFor(() => aware.live().join() === 'ws-a,ws-b', {
      what: 'ws-b engaged once its endpoint serves',
      timeoutMs: 10_000,
    });
  });

  it('hands a workspace that moves to another shard over without engaging it twice', async () => {
    shardA.seed(APIBindingResource, [binding('ws-m')]);
    shardB.seed(APIBindingResource, [binding('ws-m')]);
    // B serves it only after A engaged it: the new shard has it before the old one lets it go.
    shardB.faults.failNext({ status: 404, count: 1_000_000 });
    setEndpoints(shardA, shardB);
    const provider = startProvider();
    await provider.ready;
    await waitFor(() => servedThrough('ws-m').join() === shardA.url, {
      what: 'ws-m on A',
      timeoutMs: 15_000,
    });

    shardB.faults.reset();
    await provider.waitForSync(APIBindingResource);
    await new Promise((r) => setImmediate(r));
    expect(aware.engaged.map((e) => e.name)).toEqual(['ws-m']);
    expect(servedThrough('ws-m')).toEqual([shardA.url]);
    expect(provider.list(APIBindingResource)).toHaveLength(1);

    shardA.emit(APIBindingResource, [{ type: 'DELETED', object: binding('ws-m') }]);
    await waitFor(() => servedThrough('ws-m').join() === shardB.url, {
      what: 'ws-m on B',
      timeoutMs: 15_000,
    });
    const [first, second] = aware.engaged;
    expect(aware.engaged).toHaveLength(2);
    expect(first?.signal.aborted).toBe(true);
    expect(second?.signal.aborted).toBe(false);
    expect(await provider.get('root:ws-m')).toBe(second?.cluster);

    shardB.emit(APIBindingResource, [{ type: 'DELETED', object: binding('ws-m') }]);
    await waitFor(() => aware.live().length === 0, { what: 'ws-m disengaged', timeoutMs: 15_000 });
  });
});
