import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, ConfigMapResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { ApiError } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import { resourcePath } from '../client/resource.ts';
import type { QueryValue } from '../client/rest-client.ts';
import { waitFor } from '../util/wait-for.ts';
import { jsonLines } from '../watch/json-lines.ts';
import type { RawWatchEvent } from '../watch/raw-watch-event.ts';
import { FakeApiServer } from './fake-api-server.ts';

/** An open watch whose events are collected in the background. */
interface OpenWatch {
  readonly events: RawWatchEvent[];
  /** Waits (up to `timeoutMs`, default 10 s) until at least `count` events arrived and returns them. */
  until(count: number, timeoutMs?: number): Promise<RawWatchEvent[]>;
  /** Waits for the stream to end: `'ended'` when the server closed it cleanly, else the read error. */
  ended(): Promise<'ended' | Error>;
  close(): void;
}

async function openWatch(
  client: Client,
  query: Record<string, QueryValue> = {},
  at: { namespace?: string; name?: string } = {},
): Promise<OpenWatch> {
  const stream = await client.rest.stream({
    path: resourcePath(ConfigMapResource, at),
    query: { watch: true, ...query },
  });
  const events: RawWatchEvent[] = [];
  let end: 'ended' | Error | undefined;
  void (async () => {
    try {
      for await (const event of jsonLines<RawWatchEvent>(stream.body)) events.push(event);
      end = 'ended';
    } catch (err) {
      end = err instanceof Error ? err : new Error(String(err));
    }
  })();
  return {
    events,
    until: async (count, timeoutMs = 10_000) => {
      await waitFor(() => events.length >= count, {
        what: `${count} watch events`,
        timeoutMs,
        intervalMs: 5,
        describe: () => JSON.stringify(events.map((e) => e.type)),
      });
      return events.slice(0, count);
    },
    ended: () => waitFor(() => end, { what: 'the watch to end', timeoutMs: 10_000, intervalMs: 5 }),
    close: () => stream.close(),
  };
}

function configMap(name: string, namespace = 'default', labels?: Record<string, string>): ConfigMap {
  return { metadata: { name, namespace, ...(labels ? { labels } : {}) }, data: { key: name } };
}

/** The object of an event that carries one (every type but ERROR). */
function objectOf(event: RawWatchEvent | undefined): KubeObject {
  if (!event || event.type === 'ERROR')
    throw new Error(`expected an object event, got ${JSON.stringify(event)}`);
  return event.object;
}

function summary(events: RawWatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.type === 'ERROR' ? '' : (e.object.metadata?.name ?? '')}`);
}

// The waits are generous (they end as soon as what they wait for arrives) so that a loaded machine does
// not fail them; the test timeout leaves them room.
describe('FakeApiServer WATCH', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  let client: Client;
  const watches: OpenWatch[] = [];
  const watch = async (...args: Parameters<typeof openWatch> extends [Client, ...infer R] ? R : never) => {
    const w = await openWatch(client, ...args);
    watches.push(w);
    return w;
  };

  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 40 });
    client = server.client();
  });

  afterAll(() => server.stop());

  beforeEach(async () => {
    for (const w of watches.splice(0)) w.close();
    server.faults.reset();
    await waitFor(() => server.openWatches === 0, {
      what: 'previous watches to close',
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    server.emit(
      ConfigMapResource,
      server.objects(ConfigMapResource).map((object) => ({ type: 'DELETED' as const, object })),
    );
  });

  it('starts with synthetic ADDED events when no resourceVersion is given, then streams live changes', async () => {
    await client.create(ConfigMapResource, configMap('a'));
    await client.create(ConfigMapResource, configMap('b', 'other'));
    const w = await watch({}, { namespace: 'default' });
    expect(summary(await w.until(1))).toEqual(['ADDED a']);
    await client.patch(ConfigMapResource, 'a', { data: { key: 'changed' } }, { namespace: 'default' });
    await client.create(ConfigMapResource, configMap('c', 'other'));
    await client.create(ConfigMapResource, configMap('d'));
    await client.delete(ConfigMapResource, 'a', { namespace: 'default' });
    const events = await w.until(4);
    expect(summary(events)).toEqual(['ADDED a', 'MODIFIED a', 'ADDED d', 'DELETED a']);
    const deleted = objectOf(events[3]);
    expect(deleted.metadata?.resourceVersion).toBe(server.resourceVersion);
  });

  it('replays every change after the given resourceVersion', async () => {
    const a = await client.create(ConfigMapResource, configMap('a'));
    await client.create(ConfigMapResource, configMap('b'));
    await client.patch(ConfigMapResource, 'a', { data: { key: 'x' } }, { namespace: 'default' });
    await client.delete(ConfigMapResource, 'b', { namespace: 'default' });
    const w = await watch({ resourceVersion: a.metadata?.resourceVersion });
    const events = await w.until(3);
    expect(summary(events)).toEqual(['ADDED b', 'MODIFIED a', 'DELETED b']);
    const rvs = events.map((e) => Number(objectOf(e).metadata?.resourceVersion));
    expect(rvs).toEqual(rvs.toSorted((x, y) => x - y));
    expect(rvs[0]).toBe(Number(a.metadata?.resourceVersion) + 1);
  });

  it('applies label selectors to watches, turning changes into and out of the selection into ADDED and DELETED', async () => {
    await client.create(ConfigMapResource, configMap('a', 'default', { app: 'x' }));
    await client.create(ConfigMapResource, configMap('b', 'default', { app: 'y' }));
    const w = await watch({ labelSelector: 'app=x' });
    expect(summary(await w.until(1))).toEqual(['ADDED a']);
    await client.patch(
      ConfigMapResource,
      'a',
      { metadata: { labels: { app: 'z' } } },
      { namespace: 'default' },
    );
    await client.patch(ConfigMapResource, 'b', { data: { key: 'ignored' } }, { namespace: 'default' });
    await client.patch(
      ConfigMapResource,
      'b',
      { metadata: { labels: { app: 'x' } } },
      { namespace: 'default' },
    );
    expect(summary(await w.until(3))).toEqual(['ADDED a', 'DELETED a', 'ADDED b']);
  });

  it('watches a single object by URL name or field selector', async () => {
    await client.create(ConfigMapResource, configMap('a'));
    await client.create(ConfigMapResource, configMap('b'));
    const byName = await watch({}, { namespace: 'default', name: 'b' });
    const byField = await watch({ fieldSelector: 'metadata.name=b' });
    await client.patch(ConfigMapResource, 'a', { data: { key: '1' } }, { namespace: 'default' });
    await client.patch(ConfigMapResource, 'b', { data: { key: '1' } }, { namespace: 'default' });
    expect(summary(await byName.until(2))).toEqual(['ADDED b', 'MODIFIED b']);
    expect(summary(await byField.until(2))).toEqual(['ADDED b', 'MODIFIED b']);
  });

  it('sends BOOKMARK events at the configured interval when asked to', async () => {
    await client.create(ConfigMapResource, configMap('a'));
    const w = await watch({ allowWatchBookmarks: true, resourceVersion: server.resourceVersion });
    const [bookmark] = await w.until(1);
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: server.resourceVersion } },
    });
    const plain = await watch({ resourceVersion: server.resourceVersion });
    await sleep(120);
    expect(plain.events).toEqual([]);
  });

  it('ends the initial state with an annotated BOOKMARK for sendInitialEvents', async () => {
    await client.create(ConfigMapResource, configMap('a'));
    const w = await watch({
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
    });
    const [added, bookmark] = await w.until(2);
    expect(added?.type).toBe('ADDED');
    expect(bookmark?.type).toBe('BOOKMARK');
    expect(objectOf(bookmark).metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('closes the stream cleanly after timeoutSeconds', async () => {
    const started = Date.now();
    const w = await watch({ timeoutSeconds: 1 });
    expect(await w.ended()).toBe('ended');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('answers a watch from a compacted resourceVersion with one ERROR 410 Expired event', async () => {
    const a = await client.create(ConfigMapResource, configMap('a'));
    await client.create(ConfigMapResource, configMap('b'));
    expect(server.faults.compact()).toBe(server.resourceVersion);
    const w = await watch({ resourceVersion: a.metadata?.resourceVersion });
    expect(await w.ended()).toBe('ended');
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 },
    });
    // Watching from the compaction point itself still works.
    const fresh = await watch({ resourceVersion: server.resourceVersion });
    await client.create(ConfigMapResource, configMap('c'));
    expect(summary(await fresh.until(1))).toEqual(['ADDED c']);
  });

  it('forgets the oldest events beyond historyLimit', async () => {
    const small = await FakeApiServer.start({ resources: [ConfigMapResource], historyLimit: 2 });
    try {
      const c = small.client();
      const first = await c.create(ConfigMapResource, configMap('a'));
      await c.create(ConfigMapResource, configMap('b'));
      await c.create(ConfigMapResource, configMap('c'));
      await c.create(ConfigMapResource, configMap('d'));
      const tooOld = await openWatch(c, { resourceVersion: first.metadata?.resourceVersion });
      expect((await tooOld.until(1))[0]?.type).toBe('ERROR');
      const recent = await openWatch(c, {
        resourceVersion: String(Number(first.metadata?.resourceVersion) + 1),
      });
      expect(summary(await recent.until(2))).toEqual(['ADDED c', 'ADDED d']);
    } finally {
      await small.stop();
    }
  });

  it('faults.dropWatches destroys open watch connections mid-stream', async () => {
    const w = await watch();
    expect(server.openWatches).toBe(1);
    expect(server.faults.dropWatches()).toBe(1);
    const end = await w.ended();
    expect(end).toBeInstanceOf(Error);
    expect(server.openWatches).toBe(0);
  });

  it('faults.expireWatches sends ERROR 410 Expired and closes the watches', async () => {
    const w = await watch({ resourceVersion: server.resourceVersion });
    expect(server.faults.expireWatches()).toBe(1);
    expect(await w.ended()).toBe('ended');
    expect(w.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', reason: 'Expired', code: 410 }),
      },
    ]);
    expect(server.openWatches).toBe(0);
  });

  it('faults.stallWatches holds back events and bookmarks until resumeWatches, keeping connections open', async () => {
    const w = await watch({ allowWatchBookmarks: true, resourceVersion: server.resourceVersion });
    await w.until(1);
    expect(server.faults.stallWatches()).toBe(1);
    await sleep(20);
    const seen = w.events.length;
    await client.create(ConfigMapResource, configMap('held'));
    await sleep(150);
    expect(w.events).toHaveLength(seen);
    expect(server.openWatches).toBe(1);
    // A watch opened during the stall is not stalled.
    const later = await watch({ resourceVersion: '0' });
    expect(summary(await later.until(1))).toEqual(['ADDED held']);
    server.faults.resumeWatches();
    await waitFor(() => w.events.some((e) => e.type === 'ADDED'), {
      what: 'the held event',
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    expect(summary(w.events.filter((e) => e.type !== 'BOOKMARK'))).toEqual(['ADDED held']);
  });

  it('faults.failNext can target watches only, and the request log counts lists and watches', async () => {
    server.clearRequests();
    server.faults.failNext({ status: 500, match: { watch: true } });
    await client.list(ConfigMapResource);
    const failed = await client.rest
      .stream({ path: resourcePath(ConfigMapResource), query: { watch: true } })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failed).toBeInstanceOf(ApiError);
    expect((failed as ApiError).code).toBe(500);
    await watch();
    const lists = server.requests.filter((r) => r.method === 'GET' && !r.watch);
    const watchRequests = server.requests.filter((r) => r.watch);
    expect(lists).toHaveLength(1);
    expect(watchRequests.map((r) => r.status)).toEqual([500, 200]);
    expect(server.openWatches).toBe(1);
  });

  it('scopes kcp watches to one cluster, or watches every cluster through /clusters/*', async () => {
    const alpha = server.client({ cluster: 'alpha' });
    const beta = server.client({ cluster: 'beta' });
    const alphaWatch = await openWatch(alpha, { resourceVersion: server.resourceVersion });
    const allWatch = await openWatch(server.client({ cluster: '*' }), {
      resourceVersion: server.resourceVersion,
    });
    watches.push(alphaWatch, allWatch);
    await beta.create(ConfigMapResource, configMap('from-beta'));
    await alpha.create(ConfigMapResource, configMap('from-alpha'));
    await client.create(ConfigMapResource, configMap('from-default'));
    expect(summary(await allWatch.until(3))).toEqual([
      'ADDED from-beta',
      'ADDED from-alpha',
      'ADDED from-default',
    ]);
    const [event] = await alphaWatch.until(1);
    expect(summary(alphaWatch.events)).toEqual(['ADDED from-alpha']);
    expect(objectOf(event).metadata?.annotations).toEqual({ 'kcp.io/cluster': 'alpha' });
  });

  // How fast a bulk emit streams is for a benchmark to measure; here only that all of it arrives, in order.
  // The wait is generous because the whole unit suite may be running on a loaded machine; it only guards
  // against a stream that stops.
  it('streams a bulk emit of 20,000 changes completely and in order', { timeout: 60_000 }, async () => {
    const count = 20_000;
    const w = await watch({ resourceVersion: server.resourceVersion });
    const objects = Array.from({ length: count }, (_, i) => configMap(`bulk-${i}`));
    const rv = server.emit(
      ConfigMapResource,
      objects.map((object) => ({ type: 'ADDED' as const, object })),
    );
    const events = await w.until(count, 50_000);
    expect(events.map((e) => objectOf(e).metadata?.name)).toEqual(objects.map((o) => o.metadata?.name));
    const versions = events.map((e) => Number(objectOf(e).metadata?.resourceVersion));
    expect(versions.every((v, i) => i === 0 || v > (versions[i - 1] as number))).toBe(true);
    expect(objectOf(events.at(-1)).metadata?.resourceVersion).toBe(rv);
    const list = await client.list(ConfigMapResource, { limit: 5000 });
    expect(list.items).toHaveLength(count);
  });
});
