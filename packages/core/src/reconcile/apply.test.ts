import { describe, expect, it } from 'vitest';
import { applyObject, applyStatus } from './apply.ts';
import { serveWidgets, type Widget, WidgetResource } from './widget.test.support.ts';

const fake = serveWidgets();

describe('applyObject / applyStatus', () => {
  it('applies spec and status separately with force, dropping managedFields and resourceVersion', async () => {
    const intent: Widget = {
      metadata: {
        name: 'w',
        namespace: 'default',
        resourceVersion: '999',
        managedFields: [{ manager: 'x' }],
      },
      spec: { size: 3 },
    };
    const applied = await applyObject(fake.client, WidgetResource, intent, {
      fieldManager: 'widget-controller',
    });
    expect(applied.spec).toEqual({ size: 3 });
    const withStatus = await applyStatus(
      fake.client,
      WidgetResource,
      { metadata: { name: 'w', namespace: 'default' }, status: { phase: 'Ready' } },
      { fieldManager: 'widget-controller' },
    );
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.spec).toEqual({ size: 3 });
    const patches = fake.server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.path, r.query.fieldManager, r.query.force, r.status])).toEqual([
      ['/apis/example.com/v1/namespaces/default/widgets/w', 'widget-controller', 'true', 201],
      ['/apis/example.com/v1/namespaces/default/widgets/w/status', 'widget-controller', 'true', 200],
    ]);
    expect(intent.metadata?.resourceVersion).toBe('999');
  });
});
