import { Client, type ConfigMap, ConfigMapResource, SharedInformer, isGone, waitFor } from '@kubeloom/core';
import { KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { storeVersions, waitForStoreToMatchServer } from './store-convergence.ts';
import { TcpGate } from './tcp-gate.ts';

const log = (line: string): void => {
  console.log(`[informer-compaction] ${line}`);
};

/** kcp's API server compacts etcd history this often; the test waits until the informer's revision is gone. */
const COMPACTION_INTERVAL = '5s';

const cm = (name: string, value: string): ConfigMap => ({
  metadata: { name, namespace: 'default' },
  data: { value },
});

describe('SharedInformer relists after a real 410 Gone from kcp', () => {
  let kcp: KcpTestEnvironment | undefined;

  beforeAll(async () => {
    // Its own kcp, compacting every few seconds (the shared one keeps kcp's 5 minute default), and without
    // the watch cache: the cache would keep serving watches from its own history for a while after etcd
    // compacted, so the 410 would come only much later.
    kcp = await KcpTestEnvironment.start({
      binary: (await ensureKcpBinary()).path,
      extraArgs: [`--etcd-compaction-interval=${COMPACTION_INTERVAL}`, '--watch-cache=false'],
    });
    log(`own kcp started in ${(kcp.startupMs / 1000).toFixed(1)} s at ${kcp.baseUrl}`);
  });

  afterAll(async () => {
    await kcp?.stop();
  });

  it('resumes from a compacted resourceVersion by relisting, and the store matches the server exactly', {
    timeout: 240_000,
  }, async () => {
    if (!kcp) throw new Error('kcp did not start');
    const env = kcp;
    const ws = await env.createWorkspace({ generateName: 'compaction-' });
    const admin = env.clientFor(ws.path);
    for (const name of ['keep', 'change', 'remove']) await admin.create(ConfigMapResource, cm(name, 'seed'));

    const gate = await TcpGate.listen(Number(new URL(env.baseUrl).port));
    onTestFinished(() => gate.close());
    const statuses: { stream: boolean; url: string; status: number | undefined }[] = [];
    const rest = env.client
      .withServer(`https://127.0.0.1:${gate.port}/clusters/${ws.path}`)
      .rest.withObserver({
        requestFinished: (info) => statuses.push({ stream: info.stream, url: info.url, status: info.status }),
      });
    const informer = new SharedInformer(new Client(rest), ConfigMapResource, { namespace: 'default' });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 30_000 });
    const lists = (): number => statuses.filter((s) => !s.stream && s.url.includes('/configmaps')).length;
    const listsBefore = lists();

    // Cut the informer off, change things, and wait until history before the changes is compacted: a
    // watch from the revision of the first change (newer than anything the informer saw) gets 410.
    gate.shut();
    const first = await admin.patch(
      ConfigMapResource,
      'change',
      { data: { value: 'cut-off' } },
      {
        namespace: 'default',
      },
    );
    await admin.delete(ConfigMapResource, 'remove', { namespace: 'default' });
    await admin.create(ConfigMapResource, cm('added', 'cut-off'));
    const firstRv = first.metadata?.resourceVersion ?? '';
    const shutAt = performance.now();
    await waitFor(
      async () => {
        // Nudge the revision forward so that the compactor has something newer to keep.
        await admin.patch(
          ConfigMapResource,
          'keep',
          { data: { tick: String(Date.now()) } },
          {
            namespace: 'default',
          },
        );
        try {
          const stream = await admin.rest.stream({
            path: '/api/v1/namespaces/default/configmaps',
            query: { watch: 1, resourceVersion: firstRv, timeoutSeconds: 1 },
          });
          const text = await new Promise<string>((resolve) => {
            let body = '';
            stream.body.on('data', (c: Buffer) => {
              body += c.toString();
              if (body.includes('\n')) resolve(body);
            });
            stream.body.on('end', () => resolve(body));
            stream.body.on('error', () => resolve(body));
          });
          stream.close();
          return /"code":410/.test(text);
        } catch (err) {
          return isGone(err);
        }
      },
      { what: `resourceVersion ${firstRv} to be compacted`, timeoutMs: 90_000, intervalMs: 1_000 },
    );
    log(
      `resourceVersion ${firstRv} compacted ${((performance.now() - shutAt) / 1000).toFixed(1)} s after the cut`,
    );

    gate.open();
    await waitForStoreToMatchServer(informer, admin, ConfigMapResource, {
      namespace: 'default',
      what: 'the informer store to match a fresh LIST after the relist',
    });
    const store = storeVersions(informer);
    log(
      `relisted after: ${informer.lastRelistReason}; LISTs ${listsBefore} → ${lists()}; ` +
        `watch statuses after the cut: ${statuses
          .filter((s) => s.stream)
          .map((s) => s.status ?? 'failed')
          .join(', ')}`,
    );
    expect(informer.lastRelistReason).toMatch(/\b410\b/);
    expect(lists()).toBeGreaterThan(listsBefore);
    expect(store.has('added') && store.has('change') && store.has('keep')).toBe(true);
    expect(store.has('remove')).toBe(false);
    expect(informer.lastError).toBeUndefined();
  });
});
