import { describe, expect, it } from 'vitest';
import { isConflict } from '../client/errors.ts';
import { addFinalizer, hasFinalizer, removeFinalizer } from './finalizers.ts';
import { serveWidgets, type Widget, WidgetResource } from './widget.test.support.ts';

const F = 'example.com/cleanup';
const fake = serveWidgets();

const widget = (): Widget => ({ metadata: { name: 'w', namespace: 'default' }, spec: { size: 1 } });
const putStatuses = () => fake.server.requests.filter((r) => r.method === 'PUT').map((r) => r.status);

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('finalizers', { timeout: 30_000 }, () => {
  it('adds a finalizer despite a concurrent write, keeping that write', async () => {
    const stale = await fake.client.create(WidgetResource, widget());
    await fake.client.patch(
      WidgetResource,
      'w',
      { metadata: { labels: { other: 'writer' } } },
      { namespace: 'default' },
    );
    fake.server.clearRequests();
    const updated = await addFinalizer(fake.client, WidgetResource, stale, F);
    expect(putStatuses()).toEqual([409, 200]);
    expect(updated.metadata?.finalizers).toEqual([F]);
    expect(updated.metadata?.labels).toEqual({ other: 'writer' });
    expect(hasFinalizer(updated, F)).toBe(true);
    expect(stale.metadata?.finalizers).toBeUndefined();
  });

  it('writes nothing when the finalizer is already there', async () => {
    const created = await fake.client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F] },
    });
    fake.server.clearRequests();
    expect(await addFinalizer(fake.client, WidgetResource, created, F)).toBe(created);
    expect(putStatuses()).toEqual([]);
  });

  it('gives up after maxAttempts conflicts with the conflict error', async () => {
    const created = await fake.client.create(WidgetResource, widget());
    fake.server.faults.failNext({ status: 409, reason: 'Conflict', count: 10, match: { method: 'PUT' } });
    fake.server.clearRequests();
    const failure = await addFinalizer(fake.client, WidgetResource, created, F, { maxAttempts: 3 }).catch(
      (e: unknown) => e,
    );
    expect(isConflict(failure)).toBe(true);
    expect(putStatuses()).toEqual([409, 409, 409]);
  });

  it('removes a finalizer despite a concurrent write; the last one lets a deleted object go', async () => {
    const created = await fake.client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F, 'example.com/other'] },
    });
    await fake.client.delete(WidgetResource, 'w', { namespace: 'default' });
    fake.server.clearRequests();
    const kept = await removeFinalizer(fake.client, WidgetResource, created, 'example.com/other');
    expect(putStatuses()).toEqual([409, 200]);
    expect(kept.metadata?.finalizers).toEqual([F]);
    expect(kept.metadata?.deletionTimestamp).toBeDefined();
    const last = await removeFinalizer(fake.client, WidgetResource, kept, F);
    expect(hasFinalizer(last, F)).toBe(false);
    expect(fake.server.getObject(WidgetResource, { namespace: 'default', name: 'w' })).toBeUndefined();
  });

  it('treats an object that is already gone as done when removing', async () => {
    const created = await fake.client.create(WidgetResource, {
      ...widget(),
      metadata: { ...widget().metadata, finalizers: [F] },
    });
    fake.server.emit(WidgetResource, [{ type: 'DELETED', object: created }]);
    const result = await removeFinalizer(fake.client, WidgetResource, created, F);
    expect(result.metadata?.finalizers).toEqual([]);
    expect(result.metadata?.name).toBe('w');
  });
});
