import {
  type ConfigMap,
  ConfigMapResource,
  ControllerBuilder,
  Manager,
  clusterOf,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { APIBindingResource, APIExportProvider, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { RecordingLogger } from '@kubeloom/core/testing';
import { EXPORT_NAME, setUpConsumer, setUpProvider } from '@kubeloom/example-quickstart/setup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { OpenStreams } from './open-streams.ts';

/** The clusters of the `welcome` ConfigMaps among `objects`, sorted. */
const welcomes = (objects: ConfigMap[]): string[] =>
  objects
    .filter((cm) => cm.metadata?.name === 'welcome')
    .map(clusterOf)
    .toSorted();

describe('APIExportProvider against real kcp', () => {
  let kcp: KcpTestEnvironment;
  let provider: KcpWorkspace;
  let consumers: KcpWorkspace[];
  let apiexport: APIExportProvider;
  let manager: Manager;
  const stop = new AbortController();
  const reconciles: Array<{ cluster: string; name: string; at: number }> = [];
  const isolationViolations: string[] = [];
  const logger = new RecordingLogger();
  const streams = new OpenStreams();
  const reconciledIn = (c: KcpWorkspace): number =>
    reconciles.filter((r) => r.cluster === c.clusterName).length;

  beforeAll(async () => {
    kcp = await sharedKcp();
    provider = await setUpProvider(kcp);
    consumers = await Promise.all([1, 2, 3].map(() => setUpConsumer(kcp, provider)));

    apiexport = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: EXPORT_NAME,
      observer: streams.observer,
      logger,
      notReadyGraceMs: 5_000,
    });
    manager = new Manager({ local: kcp.clientFor(provider.path), provider: apiexport, logger });
    const controller = new ControllerBuilder('stamper')
      .for(ConfigMapResource)
      .withOptions({ logger, metrics: manager.controllerMetrics })
      .build(async (req, { cluster }) => {
        reconciles.push({ cluster: req.cluster, name: req.name, at: Date.now() });
        // Through its cluster, a reconciler sees only its own workspace's objects.
        for (const cm of cluster.cache.reader(ConfigMapResource).list()) {
          if (clusterOf(cm) !== req.cluster) isolationViolations.push(`${req.cluster} saw ${clusterOf(cm)}`);
        }
        const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
        if (!cm || req.name !== 'welcome' || cm.data?.stampedBy === req.cluster) return;
        await cluster.client.patch(
          ConfigMapResource,
          req.name,
          { data: { stampedBy: req.cluster } },
          { namespace: req.namespace },
        );
      });
    manager.add(controller);
    void manager.start(stop.signal);
    await apiexport.ready;
  }, 300_000);

  afterAll(async () => {
    stop.abort();
    await manager?.stop();
    await kcp?.stop();
  });

  const stamped = async (c: KcpWorkspace): Promise<string | undefined> =>
    (await kcp.clientFor(c.path).get(ConfigMapResource, 'welcome', { namespace: 'default' })).data?.stampedBy;

  it('engages every bound workspace; each reconciler sees and writes only its own workspace', async () => {
    await waitFor(async () => (await Promise.all(consumers.map(stamped))).every(Boolean), {
      what: 'every consumer stamped',
      timeoutMs: 60_000,
    });
    expect(apiexport.clusterNames().toSorted()).toEqual(consumers.map((c) => c.clusterName).toSorted());
    for (const c of consumers) expect(await stamped(c)).toBe(c.clusterName);
    expect(isolationViolations).toEqual([]);
    // Path lookups resolve to the same engaged cluster.
    const [first] = consumers as [KcpWorkspace];
    expect((await apiexport.get(first.path)).name).toBe(first.clusterName);
  });

  it('reads across every engaged workspace at once: cached, by index, and live from every endpoint', async () => {
    await apiexport.indexField(ConfigMapResource, 'by-stamp', (cm) =>
      cm.data?.stampedBy ? [cm.data.stampedBy] : [],
    );
    await apiexport.waitForSync(ConfigMapResource);
    const expected = consumers.map((c) => c.clusterName).toSorted();
    expect(welcomes(apiexport.list(ConfigMapResource, { namespace: 'default' }))).toEqual(expected);
    expect(welcomes(await apiexport.listLive(ConfigMapResource))).toEqual(expected);
    const [first] = consumers as [KcpWorkspace];
    const byIndex = apiexport.list(ConfigMapResource, {
      index: { name: 'by-stamp', value: first.clusterName },
    });
    expect(byIndex.map((cm) => `${clusterOf(cm)}/${cm.metadata?.name}`)).toEqual([
      `${first.clusterName}/welcome`,
    ]);
  });

  it('keeps watch connections at resources x endpoints, whatever the number of workspaces', async () => {
    expect(apiexport.endpointUrls()).toHaveLength(1);
    // The endpoint slice in the provider workspace, plus APIBindings and ConfigMaps on the one endpoint.
    await waitFor(() => streams.total() === 3, {
      what: 'three open watches',
      describe: () => streams.toString(),
    });
    const before = streams.total();
    const fourth = await setUpConsumer(kcp, provider);
    await waitFor(async () => (await stamped(fourth)) === fourth.clusterName, {
      what: 'fourth stamped',
      timeoutMs: 60_000,
    });
    expect(streams.total()).toBe(before);
    consumers.push(fourth);
  });

  it('engages a workspace that binds while running, and measures bind to first reconcile', async () => {
    const late = await kcp.createWorkspace({ generateName: 'quickstart-late-' });
    await kcp
      .clientFor(late.path)
      .create(ConfigMapResource, { metadata: { name: 'welcome', namespace: 'default' } });
    const boundAt = Date.now();
    await kcp.bindApiExport({ workspace: late.path, exportPath: provider.path, exportName: EXPORT_NAME });
    await waitFor(() => reconciledIn(late) > 0, {
      what: 'first reconcile of the late workspace',
      timeoutMs: 60_000,
    });
    const first = reconciles.find((r) => r.cluster === late.clusterName) as { at: number };
    const latencyMs = first.at - boundAt;
    console.log(
      `[kcp-provider] bind -> first reconcile: ${latencyMs} ms (binding created, Ready, engaged, synced, reconciled)`,
    );
    expect(latencyMs).toBeLessThan(30_000);
    consumers.push(late);
  });

  it('disengages a workspace whose binding is deleted: no further reconciles, no errors', async () => {
    const leaving = consumers[0] as KcpWorkspace;
    await kcp.clientFor(leaving.path).delete(APIBindingResource, EXPORT_NAME);
    await waitFor(() => !apiexport.clusterNames().includes(leaving.clusterName), {
      what: 'disengage',
      timeoutMs: 60_000,
    });
    await expect(apiexport.get(leaving.clusterName)).rejects.toThrow(/is not engaged/);
    const count = reconciledIn(leaving);
    const errorsBefore = logger.text('error').length;

    // Changes there no longer reach the controller; other workspaces still do.
    const client = kcp.clientFor(leaving.path);
    await client.patch(
      ConfigMapResource,
      'welcome',
      { data: { touched: 'after-unbind' } },
      { namespace: 'default' },
    );
    const other = consumers[1] as KcpWorkspace;
    await kcp
      .clientFor(other.path)
      .patch(ConfigMapResource, 'welcome', { data: { touched: 'yes' } }, { namespace: 'default' });
    await waitFor(
      () =>
        reconciles.some(
          (r) => r.cluster === other.clusterName && r.at > Date.now() - 30_000 && r.name === 'welcome',
        ),
      {
        what: 'a reconcile in a still-bound workspace',
      },
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(reconciledIn(leaving)).toBe(count);
    expect(
      logger
        .text('error')
        .slice(errorsBefore)
        .filter((e) => e.includes(leaving.clusterName)),
    ).toEqual([]);
    const cm: ConfigMap | undefined = await client
      .get(ConfigMapResource, 'welcome', { namespace: 'default' })
      .catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    expect(cm?.data?.touched).toBe('after-unbind');
  });
});
