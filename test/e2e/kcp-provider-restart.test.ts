import { ConfigMapResource, ControllerBuilder, Manager, silentLogger, waitFor } from '@kubeloom/core';
import { APIExportProvider, type KcpWorkspace } from '@kubeloom/kcp-provider';
import { KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';
import { EXPORT_NAME, setUpConsumer, setUpProvider } from '@kubeloom/example-quickstart/setup';
import { afterAll, describe, expect, it } from 'vitest';

describe('APIExportProvider across a kcp restart', () => {
  let kcp: KcpTestEnvironment | undefined;
  const stop = new AbortController();
  let manager: Manager | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => {
    unhandled.push(err);
  };

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    stop.abort();
    await manager?.stop();
    await kcp?.stop();
  });

  it('recovers and reconciles what changed while kcp was down', { timeout: 300_000 }, async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    // Its own kcp: restarting the shared one would disturb the other test files.
    kcp = await KcpTestEnvironment.start({ binary: (await ensureKcpBinary()).path });
    const env = kcp;
    const provider = await setUpProvider(env);
    const a = await setUpConsumer(env, provider);
    const b = await setUpConsumer(env, provider);
    const watchErrors: string[] = [];
    const apiexport = new APIExportProvider({
      client: env.clientFor(provider.path),
      endpointSlice: EXPORT_NAME,
      // A long first backoff leaves a window after the restart in which to change things before the
      // informers reconnect: changes they must catch up on.
      informerOptions: {
        backoff: { initialMs: 6_000, maxMs: 10_000, jitter: 0 },
        onError: (e) => watchErrors.push(e.message),
      },
    });
    manager = new Manager({ local: env.clientFor(provider.path), provider: apiexport, logger: silentLogger });
    manager.add(
      new ControllerBuilder('stamper').for(ConfigMapResource).build(async (req, { cluster }) => {
        const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
        if (!cm || cm.data?.stampedBy === req.cluster) return;
        await cluster.client.patch(
          ConfigMapResource,
          req.name,
          { data: { stampedBy: req.cluster } },
          { namespace: req.namespace },
        );
      }),
    );
    void manager.start(stop.signal);
    const stampOf = async (ws: KcpWorkspace, name: string): Promise<string | undefined> =>
      (await env.clientFor(ws.path).get(ConfigMapResource, name, { namespace: 'default' })).data?.stampedBy;
    await waitFor(async () => (await stampOf(a, 'welcome')) && (await stampOf(b, 'welcome')), {
      what: 'both workspaces stamped before the restart',
      timeoutMs: 60_000,
    });

    await env.restart({ downtimeMs: 1_000 });
    console.log(`[kcp-provider] kcp restarted in ${(env.startupMs / 1000).toFixed(1)} s`);
    const changedAt = Date.now();
    await env
      .clientFor(a.path)
      .create(ConfigMapResource, { metadata: { name: 'during-outage', namespace: 'default' } });
    await env
      .clientFor(b.path)
      .patch(ConfigMapResource, 'welcome', { data: { stampedBy: 'someone-else' } }, { namespace: 'default' });

    await waitFor(
      async () =>
        (await stampOf(a, 'during-outage')) === a.clusterName &&
        (await stampOf(b, 'welcome')) === b.clusterName,
      { what: 'changes made around the outage to be reconciled', timeoutMs: 120_000 },
    );
    console.log(
      `[kcp-provider] converged ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the changes`,
    );
    expect(watchErrors.length).toBeGreaterThan(0);
    expect(apiexport.clusterNames().toSorted()).toEqual([a.clusterName, b.clusterName].toSorted());
    expect(unhandled).toEqual([]);
  });
});
