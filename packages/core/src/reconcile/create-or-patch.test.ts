import { describe, expect, it } from 'vitest';
import { isConflict } from '../client/errors.ts';
import { createOrPatch } from './create-or-patch.ts';
import { serveWidgets, type Widget, WidgetResource } from './widget.test.support.ts';

const fake = serveWidgets();

const key = { name: 'w', namespace: 'default' };
const setSize = (size: number) => (w: Widget) => {
  w.spec = { ...w.spec, size };
};
const writes = () =>
  fake.server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.status}`);

describe('createOrPatch', () => {
  it('creates, patches only what changed, patches status through the subresource, and skips no-ops', async () => {
    expect((await createOrPatch(fake.client, WidgetResource, key, setSize(1))).outcome).toBe('created');

    // A field written by someone else after our read must survive: the patch does not carry it.
    let raced = false;
    const patched = await createOrPatch(fake.client, WidgetResource, key, async (w) => {
      if (!raced) {
        raced = true;
        await fake.client.patch(WidgetResource, 'w', { spec: { color: 'red' } }, { namespace: 'default' });
      }
      setSize(2)(w);
    });
    expect(patched.outcome).toBe('updated');
    expect(patched.object.spec).toEqual({ size: 2, color: 'red' });

    const status = await createOrPatch(fake.client, WidgetResource, key, (w) => {
      w.status = { phase: 'Ready' };
    });
    expect(status.outcome).toBe('updatedStatusOnly');
    expect(status.object.status).toEqual({ phase: 'Ready' });

    const both = await createOrPatch(fake.client, WidgetResource, key, (w) => {
      setSize(3)(w);
      w.status = { phase: 'Scaling' };
    });
    expect(both.outcome).toBe('updatedStatus');
    expect([both.object.spec?.size, both.object.status?.phase]).toEqual([3, 'Scaling']);

    fake.server.clearRequests();
    expect((await createOrPatch(fake.client, WidgetResource, key, setSize(3))).outcome).toBe('unchanged');
    expect(writes()).toEqual([]);
  });

  it('fails with 409 Conflict under optimisticLock when the object changed after the read', async () => {
    await createOrPatch(fake.client, WidgetResource, key, setSize(1));
    const attempt = createOrPatch(
      fake.client,
      WidgetResource,
      key,
      async (w) => {
        await fake.client.patch(WidgetResource, 'w', { spec: { color: 'red' } }, { namespace: 'default' });
        setSize(2)(w);
      },
      { optimisticLock: true },
    );
    await expect(attempt).rejects.toSatisfy(isConflict);
    expect((await fake.client.get(WidgetResource, 'w', { namespace: 'default' })).spec).toEqual({
      size: 1,
      color: 'red',
    });
  });

  it('refuses a mutate that renames the object', async () => {
    await expect(
      createOrPatch(fake.client, WidgetResource, key, (w) => {
        w.metadata = { ...w.metadata, name: 'renamed' };
      }),
    ).rejects.toThrow('createOrPatch of Widget "default/w": mutate must not change the name or namespace');
  });
});
