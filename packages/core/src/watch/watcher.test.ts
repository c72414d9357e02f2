import type { Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource, type ConfigMap } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import type { LivenessResult, WatchLivenessProbe } from './liveness.ts';
import { WatchFailedError, WatchStalledError } from './watch-errors.ts';
import type { WatchEvent } from './watch-event.ts';
import { type WatcherOptions, watchResource } from './watcher.ts';

const fast: WatcherOptions = { backoff: { initialMs: 10, maxMs: 50, jitter: 0 } };
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default' },
  data,
});

/** A liveness probe that answers as told and counts its calls. */
const probeSaying = (result: LivenessResult): WatchLivenessProbe & { calls: number } => {
  const probe = {
    calls: 0,
    check: () => {
      probe.calls++;
      return Promise.resolve(result);
    },
  };
  return probe;
};

describe('watchResource', () => {
  let server: FakeApiServer;
  let client: Client;
  let subscription: Subscription | undefined;
  let events: WatchEvent<ConfigMap>[];

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 50 });
    client = server.client();
    events = [];
  });
  afterEach(async () => {
    subscription?.unsubscribe();
    subscription = undefined;
    await server.stop();
  });

  const start = (options: WatcherOptions = fast): void => {
    subscription = watchResource(client, ConfigMapResource, options).subscribe((e) => events.push(e));
  };
  const types = (): string[] => events.map((e) => e.type);
  const named = (type: string): string[] =>
    events.flatMap((e) => ('object' in e && e.type === type ? [e.object.metadata?.name ?? ''] : []));
  const lists = (): number => server.requests.filter((r) => r.method === 'GET' && !r.watch).length;
  const watches = () => server.requests.filter((r) => r.watch);

  it('brackets the initial list and then streams changes', async () => {
    server.seed(ConfigMapResource, [cm('a'), cm('b')]);
    start();
    await waitFor(() => types().includes('initDone'), { what: 'initial list' });
    expect(types().slice(0, 4)).toEqual(['init', 'initApply', 'initApply', 'initDone']);
    expect(named('initApply').toSorted()).toEqual(['a', 'b']);
    // Listed objects look exactly like watched ones.
    const listed = events.find((e) => e.type === 'initApply');
    expect(listed && 'object' in listed ? listed.object.kind : '').toBe('ConfigMap');

    await client.create(ConfigMapResource, cm('c'));
    await client.delete(ConfigMapResource, 'a', { namespace: 'default' });
    await waitFor(() => named('delete').includes('a'), { what: 'delete of a' });
    expect(named('apply')).toEqual(['c']);
  });

  it('pages through a large list', async () => {
    server.seed(
      ConfigMapResource,
      Array.from({ length: 23 }, (_, i) => cm(`cm-${i}`)),
    );
    start({ ...fast, pageSize: 5 });
    await waitFor(() => types().includes('initDone'), { what: 'initial list' });
    expect(named('initApply')).toHaveLength(23);
    expect(server.requests.filter((r) => !r.watch && r.query.limit === '5')).toHaveLength(5);
  });

  it('resumes from the last resourceVersion after a dropped connection, without relisting', async () => {
    server.seed(ConfigMapResource, [cm('a')]);
    start();
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });
    await client.create(ConfigMapResource, cm('b'));
    await waitFor(() => named('apply').includes('b'), { what: 'b' });
    const lastSeen = server.resourceVersion;

    expect(server.faults.dropWatches()).toBe(1);
    await waitFor(() => watches().length === 2 && server.openWatches === 1, { what: 'second watch' });
    await client.create(ConfigMapResource, cm('c'));
    await waitFor(() => named('apply').includes('c'), { what: 'c after reconnect' });

    expect(lists()).toBe(1);
    expect(watches()[1]?.query.resourceVersion).toBe(lastSeen);
    expect(types().filter((t) => t === 'init')).toHaveLength(1);
    // The error names the resource and its URL, not just the server.
    const error = events.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error).toBeInstanceOf(WatchFailedError);
    expect(error?.type === 'error' && error.error.message).toMatch(
      new RegExp(`^watch of configmaps/v1 at ${server.url}/api/v1/configmaps failed: `),
    );
  });

  it('relists after 410 Gone mid-watch and the relist shows what changed meanwhile', async () => {
    server.seed(ConfigMapResource, [cm('a'), cm('b')]);
    start();
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });

    // Keep the watch down while objects change and history is compacted past our resourceVersion.
    server.faults.failNext({ status: 503, count: 1_000, match: { watch: true } });
    server.faults.dropWatches();
    await client.delete(ConfigMapResource, 'b', { namespace: 'default' });
    await client.create(ConfigMapResource, cm('c'));
    server.faults.compact();
    server.faults.reset();

    await waitFor(() => types().filter((t) => t === 'initDone').length === 2, { what: 'relist' });
    const second = events.slice(events.findLastIndex((e) => e.type === 'init'));
    expect(
      second.flatMap((e) => (e.type === 'initApply' ? [e.object.metadata?.name ?? ''] : [])).toSorted(),
    ).toEqual(['a', 'c']);
    expect(lists()).toBe(2);
  });

  it('relists when an open watch receives a 410 ERROR event', async () => {
    start();
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });
    expect(server.faults.expireWatches()).toBe(1);
    await waitFor(() => lists() === 2, { what: 'relist' });
    expect(types().filter((t) => t === 'init')).toHaveLength(2);
    expect(types()).not.toContain('error');
  });

  it('keeps one watch open on a quiet resource while bookmarks arrive', async () => {
    start({ ...fast, inactivityTimeoutMs: 300 });
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(watches()).toHaveLength(1);
    expect(watches()[0]?.query.allowWatchBookmarks).toBe('true');
  });

  it('reopens a silent watch from the same resourceVersion when the liveness probe gets no answer', async () => {
    const probe = probeSaying({ alive: false, reason: 'GET https://x/version got no answer within 8000 ms' });
    start({ ...fast, inactivityTimeoutMs: 200, livenessProbe: probe });
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });
    server.faults.stallWatches();
    await waitFor(() => watches().length >= 2, { what: 'reconnect after inactivity', timeoutMs: 5_000 });
    expect(lists()).toBe(1);
    expect(watches()[1]?.query.resourceVersion).toBe(watches()[0]?.query.resourceVersion);
    const stalled = events.find((e) => e.type === 'error');
    expect(stalled?.type === 'error' && stalled.error).toBeInstanceOf(WatchStalledError);
    expect(stalled?.type === 'error' && stalled.error.message).toMatch(
      new RegExp(
        `^watch on configmaps/v1 at ${server.url}/api/v1/configmaps received nothing for \\d+ s and the ` +
          'connection did not answer a keepalive probe \\(GET https://x/version got no answer within 8000 ms\\); reconnecting$',
      ),
    );
  });

  it('keeps a silent watch open while the liveness probe gets answers', async () => {
    const probe = probeSaying({ alive: true });
    start({ ...fast, inactivityTimeoutMs: 100, livenessProbe: probe });
    await waitFor(() => server.openWatches === 1, { what: 'watch open' });
    server.faults.stallWatches();
    await waitFor(() => probe.calls >= 3, { what: 'three liveness probes', timeoutMs: 5_000 });
    expect(watches()).toHaveLength(1);
    expect(types()).not.toContain('error');
  });

  it('reports an error once per outage and marks its repeats', async () => {
    server.faults.failNext({ status: 503, count: 6, match: { watch: true } });
    start();
    await waitFor(() => server.openWatches === 1, { what: 'watch after the 503s', timeoutMs: 5_000 });
    const errors = events.flatMap((e) => (e.type === 'error' ? [e] : []));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.map((e) => e.repeated)).toEqual([false, ...errors.slice(1).map(() => true)]);
    expect(errors[0]?.error.message).toMatch(
      new RegExp(`^watch of configmaps/v1 at ${server.url}/api/v1/configmaps failed: 503 ServiceUnavailable`),
    );
  });

  it('honours Retry-After on a 429 for the list', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 1, match: { watch: false, method: 'GET' } });
    const started = Date.now();
    start();
    await waitFor(() => types().includes('initDone'), { what: 'list after 429' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests.filter((r) => !r.watch).map((r) => r.status)).toEqual([429, 200]);
  });

  it('honours Retry-After on a 429 for the watch and reports it as an error event', async () => {
    server.faults.failNext({ status: 429, retryAfterSeconds: 1, match: { watch: true } });
    start();
    await waitFor(() => server.openWatches === 1, { what: 'watch after 429', timeoutMs: 5_000 });
    const error = events.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.retryInMs).toBeGreaterThanOrEqual(1_000);
    const [first, second] = watches();
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  // The client's own retries of the 500s wait about 3 s in all, so the bounds leave room for a loaded machine.
  it('never ends on errors: keeps retrying with backoff until unsubscribed', {
    timeout: 30_000,
  }, async () => {
    server.faults.failNext({ status: 500, count: 4, match: { watch: false } });
    start();
    await waitFor(() => types().includes('initDone'), { what: 'list after 500s', timeoutMs: 20_000 });
    // GETs are retried by the client first (5 retries), then by the watcher.
    expect(events.filter((e) => e.type === 'error').length).toBeLessThanOrEqual(1);
    subscription?.unsubscribe();
    subscription = undefined;
    await waitFor(() => server.openWatches === 0, { what: 'watch closed after unsubscribe' });
  });
});
