import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../client/client.ts';
import { isConflict } from '../client/errors.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { addFinalizer, hasFinalizer, removeFinalizer } from './finalizers.ts';
import { type Widget, WidgetResource } from './widget.test.support.ts';

const F = 'example.com/cleanup';
let server: FakeApiServer;
let client: Client;

beforeEach(async () => {
  server = await FakeApiServer.start({ resources: [{ resource: WidgetResource, statusSubresource: true }] });
  client = server.client();
});

afterEach(() => server.stop());

const widget = (): Widget => ({ metadata: { name: 'w', namespace: 'default' }, spec: { size: 1 } });
const putStatuses = () => server.requests.filter((r) => r.method === 'PUT').map((r) => r.status);

describe('finalizers', () => {
  it('adds a finalizer despite a concurrent write, keeping that write', async () => {
    const stale = await client.create(WidgetResource, widget());
    await client.patch(
      WidgetResource,
      'w',
      { metadata: { labels: { other: 'writer' } } },
      { namespace: 'default' },
    );
    server.clearRequests();
    const updated = await addFinalizer(client, WidgetResource, stale, F);
    expect(putStatuses()).toEqual([409, 200]);
    expect(updated.metadata?.finalizers).toEqual([F]);
    expect(updated.metadata?.labels).toEqual({ other: 'writer' });
    expect(hasFinalizer(updated, F)).toBe(true);
    expect(stale.metadata?.finalizers).toBeUndefined();
  });

  it('writes nothing when the finalizer is already there', async () => {
    const created = await client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F] },
    });
    server.clearRequests();
    expect(await addFinalizer(client, WidgetResource, created, F)).toBe(created);
    expect(putStatuses()).toEqual([]);
  });

  it('gives up after maxAttempts conflicts with the conflict error', async () => {
    const created = await client.create(WidgetResource, widget());
    server.faults.failNext({ status: 409, reason: 'Conflict', count: 10, match: { method: 'PUT' } });
    server.clearRequests();
    const failure = await addFinalizer(client, WidgetResource, created, F, { maxAttempts: 3 }).catch(
      (e: unknown) => e,
    );
    expect(isConflict(failure)).toBe(true);
    expect(putStatuses()).toEqual([409, 409, 409]);
  });

  it('removes a finalizer despite a concurrent write; the last one lets a deleted object go', async () => {
    const created = await client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F, 'example.com/other'] },
    });
    await client.delete(WidgetResource, 'w', { namespace: 'default' });
    server.clearRequests();
    const kept = await removeFinalizer(client, WidgetResource, created, 'example.com/other');
    expect(putStatuses()).toEqual([409, 200]);
    expect(kept.metadata?.finalizers).toEqual([F]);
    expect(kept.metadata?.deletionTimestamp).toBeDefined();
    const last = await removeFinalizer(client, WidgetResource, kept, F);
    expect(hasFinalizer(last, F)).toBe(false);
    expect(server.getObject(WidgetResource, { namespace: 'default', name: 'w' })).toBeUndefined();
  });

  it('treats an object that is already gone as done when removing', async () => {
    const created = await client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F] },
    });
    server.emit(WidgetResource, [{ type: 'DELETED', object: created }]);
    const result = await removeFinalizer(client, WidgetResource, created, F);
    expect(result.metadata?.finalizers).toEqual([]);
    expect(result.metadata?.name).toBe('w');
  });
});
