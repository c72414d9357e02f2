import { ConfigMapResource, ControllerBuilder, Manager, waitFor } from '@kubeloom/core';
import { APIExportProvider, type KcpWorkspace } from '@kubeloom/kcp-provider';
import { ShardedKcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { RecordingLogger } from '@kubeloom/core/testing';
import { EXPORT_NAME, permissionClaims } from '@kubeloom/example-quickstart/setup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenStreams } from './open-streams.ts';
import { TcpGate } from './tcp-gate.ts';

// The APIExport provider on a kcp of two shards (cache server, root shard, shard-1, front proxy): consumers
// on both shards are engaged through the shard that serves them, with one watch per resource per shard, and
// one shard's virtual workspace going away for a while stops only that shard's workspaces. shard-1 publishes
// its virtual-workspace URL through a TCP gate, so the test can cut the provider off from it alone. The
// topology takes a while to start, so it starts once for the file.

/** A consumer workspace and the shard it was placed on. */
interface Consumer extends KcpWorkspace {
  shard: string;
}

describe('APIExportProvider on a sharded kcp', () => {
  let kcp: ShardedKcpTestEnvironment;
  let gate: TcpGate | undefined;
  let apiexport: APIExportProvider;
  let manager: Manager;
  let consumers: Consumer[] = [];
  const stop = new AbortController();
  const logger = new RecordingLogger();
  /** Lines logged at warn or error, to show what went wrong when a wait times out. */
  const problems = (): string[] => logger.text('warn', 'error');
  const streams = new OpenStreams();
  /** Open watches through the export's virtual workspaces (not the endpoint slice's own watch). */
  const virtualWorkspaceWatches = (): string[] =>
    streams.urls().filter((url) => url.includes('/services/apiexport/'));

  beforeAll(async () => {
    kcp = await ShardedKcpTestEnvironment.start({
      virtualWorkspaceUrl: async ({ name, port }) => {
        if (name !== 'shard-1') return `https://127.0.0.1:${port}`;
        gate = await TcpGate.listen(port);
        return `https://127.0.0.1:${gate.port}`;
      },
      log: (line) => console.log(`[kcp-sharded] ${line}`),
    });
    console.log(`[kcp-sharded] topology ready in ${(kcp.startupMs / 1000).toFixed(1)} s`);
    const provider = await kcp.createWorkspace({ generateName: 'sharded-provider-', shard: 'root' });
    await kcp.createApiExport({ workspace: provider.path, name: EXPORT_NAME, schemas: [], permissionClaims });
    consumers = await Promise.all(
      ['root', 'root', 'shard-1', 'shard-1'].map(async (shard) => {
        const consumer = await kcp.createWorkspace({ generateName: 'sharded-consumer-', shard });
        await kcp.bindApiExport({
          workspace: consumer.path,
          exportPath: provider.path,
          exportName: EXPORT_NAME,
        });
        await kcp.clientFor(consumer.path).create(ConfigMapResource, {
          metadata: { name: 'welcome', namespace: 'default' },
          data: { wanted: 'first' },
        });
        return { ...consumer, shard };
      }),
    );
    await kcp.endpointUrls(provider.path, EXPORT_NAME, 2);

    apiexport = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: EXPORT_NAME,
      observer: streams.observer,
      logger,
      // Retry a shard that went away within a few seconds of its return.
      informerOptions: { backoff: { maxMs: 3_000 } },
    });
    manager = new Manager({ local: kcp.clientFor(provider.path), provider: apiexport, logger });
    // Copies `wanted` to `seen` in each workspace's ConfigMap: a write proves a reconcile through its shard.
    const controller = new ControllerBuilder('copier')
      .for(ConfigMapResource)
      .withOptions({ logger, metrics: manager.controllerMetrics })
      .build(async (req, { cluster }) => {
        const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
        if (req.name !== 'welcome' || !cm || cm.data?.seen === cm.data?.wanted) return;
        await cluster.client.patch(
          ConfigMapResource,
          req.name,
          { data: { seen: cm.data?.wanted ?? '', seenBy: req.cluster } },
          { namespace: req.namespace },
        );
      });
    manager.add(controller);
    void manager.start(stop.signal);
    await apiexport.ready;
  }, 600_000);

  afterAll(async () => {
    stop.abort();
    await manager?.stop();
    await kcp?.stop();
    await gate?.close();
  });

  const welcome = async (c: Consumer): Promise<Record<string, string>> =>
    (await kcp.clientFor(c.path).get(ConfigMapResource, 'welcome', { namespace: 'default' })).data ?? {};
  const want = (c: Consumer, value: string): Promise<unknown> =>
    kcp
      .clientFor(c.path)
      .patch(ConfigMapResource, 'welcome', { data: { wanted: value } }, { namespace: 'default' });
  const seenAll = (cs: Consumer[], value: string, what: string, timeoutMs = 90_000): Promise<unknown> =>
    waitFor(async () => (await Promise.all(cs.map(welcome))).every((d) => d.seen === value), {
      what,
      timeoutMs,
      describe: () => `provider problems: ${problems().slice(-5).join('\n')}`,
    });
  const on = (shard: string): Consumer[] => consumers.filter((c) => c.shard === shard);

  it('engages the consumers of both shards, each through the shard that serves it, and reconciles them', async () => {
    await seenAll(consumers, 'first', 'every consumer reconciled once');
    const urls = apiexport.endpointUrls();
    expect(urls).toHaveLength(2);
    const rootUrl = urls.find((u) => u.startsWith(kcp.shard('root').virtualWorkspaceUrl));
    const shardUrl = urls.find((u) => u.startsWith(kcp.shard('shard-1').virtualWorkspaceUrl));
    expect(apiexport.clusterNames().toSorted()).toEqual(consumers.map((c) => c.clusterName).toSorted());
    for (const c of consumers) {
      expect((await welcome(c)).seenBy).toBe(c.clusterName);
      const served = (await apiexport.get(c.path)).client.rest.server;
      expect(served).toBe(`${c.shard === 'root' ? rootUrl : shardUrl}/clusters/${c.clusterName}`);
    }
  });

  it('watches each resource once per shard: resources x 2, whatever the number of workspaces', async () => {
    // APIBindings and ConfigMaps, each through both shards' virtual workspaces.
    await waitFor(() => virtualWorkspaceWatches().length === 4, {
      what: 'four watches through the virtual workspaces',
      describe: () => streams.toString(),
    });
    const perResource = virtualWorkspaceWatches()
      .map((url) => url.replace(/^.*\/clusters\/\*\//, ''))
      .toSorted();
    expect(perResource).toEqual([
      'api/v1/configmaps',
      'api/v1/configmaps',
      'apis/apis.kcp.io/v1alpha2/apibindings',
      'apis/apis.kcp.io/v1alpha2/apibindings',
    ]);
  });

  it("keeps reconciling one shard's workspaces while the other shard's virtual workspace is unreachable, and the other recovers", async () => {
    const gated = gate as TcpGate;
    gated.shut();
    try {
      const gatedUrl = `127.0.0.1:${gated.port}/`;
      await waitFor(() => problems().some((line) => line.includes(gatedUrl) && line.includes('retrying')), {
        what: "the provider to notice that shard-1's virtual workspace is gone",
        timeoutMs: 60_000,
      });
      await Promise.all(consumers.map((c) => want(c, 'during-outage')));
      await seenAll(on('root'), 'during-outage', 'root-shard consumers reconciled during the outage');
      // The gate was shut throughout: shard-1's workspaces could not have been reconciled meanwhile.
      expect(gated.state).toBe('shut');
      for (const c of on('shard-1')) expect((await welcome(c)).seen).toBe('first');
    } finally {
      gated.open();
    }
    await seenAll(on('shard-1'), 'during-outage', 'shard-1 consumers reconciled once their shard is back');
    expect(apiexport.clusterNames()).toHaveLength(consumers.length);
  });
});
