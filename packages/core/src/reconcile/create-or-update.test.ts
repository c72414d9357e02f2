import { describe, expect, it } from 'vitest';
import { createOrUpdate } from './create-or-update.ts';
import { serveWidgets, type Widget, WidgetResource } from './widget.test.support.ts';

const fake = serveWidgets();

const key = { name: 'w', namespace: 'default' };
/** A mutate that owns the `app` label and `spec.size`. */
const setSize = (size: number) => (w: Widget) => {
  w.metadata = { ...w.metadata, labels: { ...w.metadata?.labels, app: 'shop' } };
  w.spec = { ...w.spec, size };
};
const writes = () =>
  fake.server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`);

describe('createOrUpdate', () => {
  it('creates, then updates on a change, then leaves an unchanged object alone', async () => {
    const created = await createOrUpdate(fake.client, WidgetResource, key, setSize(1));
    expect(created.outcome).toBe('created');
    expect(created.object.metadata?.uid).toBeDefined();
    expect(created.object.spec).toEqual({ size: 1 });

    // Someone else sets a field this controller does not own; it must survive.
    await fake.client.patch(WidgetResource, 'w', { spec: { color: 'blue' } }, { namespace: 'default' });
    const updated = await createOrUpdate(fake.client, WidgetResource, key, setSize(2));
    expect(updated.outcome).toBe('updated');
    expect(updated.object.spec).toEqual({ size: 2, color: 'blue' });

    fake.server.clearRequests();
    const unchanged = await createOrUpdate(fake.client, WidgetResource, key, setSize(2));
    expect(unchanged.outcome).toBe('unchanged');
    expect(unchanged.object.metadata?.resourceVersion).toBe(updated.object.metadata?.resourceVersion);
    expect(writes()).toEqual([]);
  });

  it('refuses a mutate that renames the object, and a namespaced key without namespace', async () => {
    await expect(
      createOrUpdate(fake.client, WidgetResource, key, (w) => {
        w.metadata = { ...w.metadata, name: 'renamed' };
      }),
    ).rejects.toThrow(/must not change the name or namespace/);
    await expect(createOrUpdate(fake.client, WidgetResource, { name: 'w' }, () => {})).rejects.toThrow(
      /needs a namespace/,
    );
    expect(writes()).toEqual([]);
  });
});
