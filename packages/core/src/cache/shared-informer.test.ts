import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource, type ConfigMap } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { CLUSTER_ANNOTATION, clusterOf } from '../client/object.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { type EventHandler, SharedInformer } from './shared-informer.ts';

const cm = (name: string, labels: Record<string, string> = {}, namespace = 'default'): ConfigMap => ({
  metadata: { name, namespace, labels },
  data: { v: name },
});

const id = (o: ConfigMap): string => `${clusterOf(o)}|${o.metadata?.namespace}/${o.metadata?.name}`;

/** Records handler calls as strings such as `add:a|default/x`. */
function recorder(): { calls: string[]; handler: EventHandler<ConfigMap> } {
  const calls: string[] = [];
  return {
    calls,
    handler: {
      onAdd: (o) => calls.push(`add:${id(o)}`),
      onUpdate: (_old, o) => calls.push(`update:${id(o)}`),
      onDelete: (o) => calls.push(`delete:${id(o)}`),
    },
  };
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('SharedInformer over a kcp-style wildcard view', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  let wildcard: Client;
  let inA: Client;
  let inB: Client;
  let informer: SharedInformer<ConfigMap>;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource], bookmarkIntervalMs: 100 });
    const client = server.client();
    wildcard = client.withServer(`${server.url}/clusters/*`);
    inA = client.withServer(`${server.url}/clusters/a`);
    inB = client.withServer(`${server.url}/clusters/b`);
    informer = new SharedInformer(wildcard, ConfigMapResource, { backoff: { initialMs: 10, maxMs: 50 } });
  });
  afterEach(async () => {
    informer.stop();
    await server.stop();
  });

  it('lets any number of waiters wait for one sync, and names the informer when a wait times out', async () => {
    server.faults.failNext({ status: 403, count: 1_000_000, match: { watch: false } });
    // One engaged workspace per waiter: waiting must not cost each of them a timer tick.
    const waiters = Array.from({ length: 20_000 }, () => informer.waitForSync({ timeoutMs: 60_000 }));
    // Longer than setTimeout can count (it would fire at once): means "until synced or aborted".
    const patient = informer.waitForSync({ timeoutMs: 365 * 24 * 3600_000 });
    const infinite = informer.waitForSync({ timeoutMs: Number.POSITIVE_INFINITY });
    informer.start();
    await expect(informer.waitForSync({ timeoutMs: 50 })).rejects.toThrow(
      new RegExp(
        `^timed out after 50 ms waiting for the ConfigMap informer on ${server.url}/clusters/\\* to sync; last seen: (no error yet|last error: .*403.*)$`,
      ),
    );
    const aborted = new AbortController();
    const abortedWait = informer.waitForSync({ signal: aborted.signal });
    aborted.abort(new Error('stopped'));
    await expect(abortedWait).rejects.toThrow('stopped');
    server.faults.reset();
    await Promise.all([...waiters, patient, infinite]);
    expect(informer.hasSynced).toBe(true);
  });

  it('keeps objects with the same namespace/name in two clusters apart', async () => {
    await inA.create(ConfigMapResource, cm('same'));
    await inB.create(ConfigMapResource, cm('same'));
    informer.start();
    await informer.waitForSync();

    expect(informer.store.size).toBe(2);
    const a = informer.scoped('a').get('same', 'default');
    const b = informer.scoped('b').get('same', 'default');
    expect(a?.metadata?.annotations?.[CLUSTER_ANNOTATION]).toBe('a');
    expect(b?.metadata?.annotations?.[CLUSTER_ANNOTATION]).toBe('b');
    expect(a?.metadata?.uid).not.toBe(b?.metadata?.uid);
    expect(informer.scoped('a').list()).toHaveLength(1);
    expect(informer.scoped('c').list()).toEqual([]);
  });

  it('dispatches to per-cluster handlers only the events of their cluster', async () => {
    informer.start();
    await informer.waitForSync();
    const a = recorder();
    const all = recorder();
    informer.addHandler(a.handler, { cluster: 'a' });
    informer.addHandler(all.handler);

    await inA.create(ConfigMapResource, cm('x'));
    await inB.create(ConfigMapResource, cm('y'));
    await inA.patch(ConfigMapResource, 'x', { data: { v: 'changed' } }, { namespace: 'default' });
    await inB.delete(ConfigMapResource, 'y', { namespace: 'default' });
    await waitFor(() => all.calls.length === 4, { what: 'four events' });

    expect(a.calls).toEqual(['add:a|default/x', 'update:a|default/x']);
    expect(all.calls).toEqual([
      'add:a|default/x',
      'add:b|default/y',
      'update:a|default/x',
      'delete:b|default/y',
    ]);
  });

  it('replays to a late handler only the objects of its cluster', async () => {
    await inA.create(ConfigMapResource, cm('a1'));
    await inA.create(ConfigMapResource, cm('a2'));
    await inB.create(ConfigMapResource, cm('b1'));
    informer.start();
    await informer.waitForSync();

    const late = recorder();
    informer.addHandler(late.handler, { cluster: 'b' });
    expect(late.calls).toEqual(['add:b|default/b1']);
    const noReplay = recorder();
    informer.addHandler(noReplay.handler, { cluster: 'a', replay: false });
    expect(noReplay.calls).toEqual([]);
  });

  it('stops delivering to a removed handler', async () => {
    informer.start();
    await informer.waitForSync();
    const r = recorder();
    const registration = informer.addHandler(r.handler, { cluster: 'a' });
    await inA.create(ConfigMapResource, cm('one'));
    await waitFor(() => r.calls.length === 1, { what: 'first event' });
    registration.remove();
    expect(informer.handlerCount).toBe(0);
    await inA.create(ConfigMapResource, cm('two'));
    await waitFor(() => informer.store.size === 2, { what: 'second object stored' });
    expect(r.calls).toEqual(['add:a|default/one']);
  });

  it('turns objects that vanished during a watch outage into deletes on relist', async () => {
    await inA.create(ConfigMapResource, cm('keep'));
    await inA.create(ConfigMapResource, cm('gone'));
    informer.start();
    await informer.waitForSync();
    const r = recorder();
    informer.addHandler(r.handler, { replay: false });

    server.faults.failNext({ status: 503, count: 1_000, match: { watch: true } });
    server.faults.dropWatches();
    await inA.delete(ConfigMapResource, 'gone', { namespace: 'default' });
    await inA.create(ConfigMapResource, cm('new'));
    server.faults.compact();
    server.faults.reset();

    await waitFor(() => r.calls.length === 2, { what: 'relist results' });
    expect(r.calls.toSorted()).toEqual(['add:a|default/new', 'delete:a|default/gone']);
    expect([...informer.store.keys()].toSorted()).toEqual(['a|default/keep', 'a|default/new']);
  });

  it('answers label and index queries, including indexes added after start', async () => {
    await inA.create(ConfigMapResource, cm('web', { app: 'shop', tier: 'web' }));
    await inA.create(ConfigMapResource, cm('db', { app: 'shop', tier: 'db' }));
    await inB.create(ConfigMapResource, cm('web', { app: 'blog', tier: 'web' }));
    informer.start();
    await informer.waitForSync();

    informer.addIndex('by-tier', (o) => [o.metadata?.labels?.tier ?? '']);
    expect(
      informer
        .scoped('a')
        .byIndex('by-tier', 'web')
        .map((o) => o.metadata?.name),
    ).toEqual(['web']);
    expect(informer.scoped('b').byIndex('by-tier', 'db')).toEqual([]);
    expect(
      informer
        .scoped('a')
        .list({ labelSelector: 'tier in (db,cache)' })
        .map((o) => o.metadata?.name),
    ).toEqual(['db']);
    expect(informer.list({ labelSelector: 'tier=web' })).toHaveLength(2);

    await inB.create(ConfigMapResource, cm('db', { app: 'blog', tier: 'db' }));
    await waitFor(() => informer.scoped('b').byIndex('by-tier', 'db').length === 1, { what: 'index update' });
  });

  it('strips managedFields before storing and survives a throwing handler', async () => {
    const errors: Error[] = [];
    informer = new SharedInformer(wildcard, ConfigMapResource, { onError: (e) => errors.push(e) });
    informer.start();
    await informer.waitForSync();
    informer.addHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    const r = recorder();
    informer.addHandler(r.handler);
    await inA.create(ConfigMapResource, {
      ...cm('x'),
      metadata: { ...cm('x').metadata, managedFields: [{ manager: 'test' }] },
    });
    await waitFor(() => r.calls.length === 1, { what: 'event after a throwing handler' });
    expect(informer.scoped('a').get('x', 'default')?.metadata?.managedFields).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });

  it('tells onError each distinct watch error once, keeping lastError current', async () => {
    const told: string[] = [];
    const quiet = new SharedInformer(wildcard, ConfigMapResource, {
      backoff: { initialMs: 10, maxMs: 50 },
      onError: (err) => told.push(err.message),
    });
    server.faults.failNext({ status: 503, count: 8, match: { watch: true } });
    quiet.start();
    await waitFor(() => server.openWatches === 1, { what: 'the watch after the 503s', timeoutMs: 5_000 });
    quiet.stop();
    expect(told).toEqual([
      `watch of configmaps/v1 at ${server.url}/clusters/*/api/v1/configmaps failed: 503 ServiceUnavailable: injected failure: 503 ServiceUnavailable`,
    ]);
    expect(quiet.lastError?.message).toBe(told[0]);
    expect(quiet.resourceNotServed).toBeUndefined();
  });
});
