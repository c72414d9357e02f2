import {
  Client,
  type EventHandler,
  type RequestInfo,
  SharedInformer,
  clusterOf,
  waitFor,
} from '@kubeloom/core';
import { type Widget, WidgetResource, widgetSchema } from '@kubeloom/example-smoke/widgets';
import { wildcardUrl } from '@kubeloom/kcp-provider';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

const name = (w: Widget): string => `${w.metadata.namespace}/${w.metadata.name}`;

/** Records what a handler was told, as short strings such as `update default/same 1→7`. */
function recorder(): { handler: EventHandler<Widget>; events: string[] } {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (w, initial) => events.push(`add${initial ? '(initial)' : ''} ${name(w)} ${w.spec?.size}`),
      onUpdate: (o, n) => events.push(`update ${name(n)} ${o.spec?.size}→${n.spec?.size}`),
      onDelete: (w) => events.push(`delete ${name(w)} ${w.spec?.size}`),
    },
  };
}

describe('SharedInformer on an APIExport virtual workspace (<endpoint>/clusters/*)', () => {
  it('keeps same-named objects of two workspaces apart, scopes reads and handlers per cluster, over one watch', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());

    const exportName = 'widgets.example.io';
    const provider = await kcp.createWorkspace({ generateName: 'infvw-provider-' });
    await kcp.createApiExport({ workspace: provider.path, name: exportName, schemas: [widgetSchema] });
    const [a, b] = await Promise.all([
      kcp.createWorkspace({ generateName: 'infvw-a-' }),
      kcp.createWorkspace({ generateName: 'infvw-b-' }),
    ]);
    await Promise.all(
      [a, b].map((c) => kcp.bindApiExport({ workspace: c.path, exportPath: provider.path, exportName })),
    );
    const clientA = kcp.clientFor(a.path);
    const clientB = kcp.clientFor(b.path);
    const same = { name: 'same', namespace: 'default' };
    await clientA.create(WidgetResource, { metadata: same, spec: { size: 1, colour: 'red' } });
    await clientB.create(WidgetResource, { metadata: same, spec: { size: 2, colour: 'green' } });

    const [endpointUrl] = await kcp.endpointUrls(provider.path, exportName);
    if (!endpointUrl) throw new Error('the endpoint slice lists no URL');
    const requests: RequestInfo[] = [];
    const rest = kcp.client
      .withServer(wildcardUrl(endpointUrl))
      .rest.withObserver({ requestStarted: (info) => requests.push(info) });
    const errors: Error[] = [];
    const informer = new SharedInformer(new Client(rest), WidgetResource, {
      onError: (err) => errors.push(err),
    });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 30_000 });

    // Both objects, keyed apart by their logical cluster (normally already in the first list).
    await waitFor(() => informer.store.size === 2, {
      what: 'both widgets in the informer',
      timeoutMs: 20_000,
      describe: () => JSON.stringify([...informer.store.keys()]),
    });
    const keys = [...informer.store.keys()].toSorted();
    expect(keys).toEqual([`${a.clusterName}|default/same`, `${b.clusterName}|default/same`].toSorted());
    expect(informer.list().map(clusterOf).toSorted()).toEqual([a.clusterName, b.clusterName].toSorted());

    // Scoped views see only their own cluster's object.
    const scopedA = informer.scoped(a.clusterName);
    const scopedB = informer.scoped(b.clusterName);
    expect(scopedA.hasSynced).toBe(true);
    expect(scopedA.list().map((w) => [clusterOf(w), w.spec])).toEqual([
      [a.clusterName, { size: 1, colour: 'red' }],
    ]);
    expect(scopedB.list().map((w) => [clusterOf(w), w.spec])).toEqual([
      [b.clusterName, { size: 2, colour: 'green' }],
    ]);
    expect(scopedA.get('same', 'default')?.spec?.colour).toBe('red');
    expect(scopedB.get('same', 'default')?.spec?.colour).toBe('green');
    expect(scopedA.list({ namespace: 'default' })).toHaveLength(1);
    expect(scopedA.get('same', 'other')).toBeUndefined();
    expect(informer.scoped(provider.clusterName).list()).toEqual([]);

    // Per-cluster handlers are replayed only their own cluster's object.
    const recA = recorder();
    const recB = recorder();
    const recAll = recorder();
    informer.addHandler(recA.handler, { cluster: a.clusterName });
    informer.addHandler(recB.handler, { cluster: b.clusterName });
    informer.addHandler(recAll.handler);
    expect(recA.events).toEqual(['add(initial) default/same 1']);
    expect(recB.events).toEqual(['add(initial) default/same 2']);
    expect(recAll.events.toSorted()).toEqual(['add(initial) default/same 1', 'add(initial) default/same 2']);

    // An update in A reaches A's handler and the all-clusters handler, never B's.
    await clientA.patch(WidgetResource, 'same', { spec: { size: 7 } }, { namespace: 'default' });
    await waitFor(() => scopedA.get('same', 'default')?.spec?.size === 7, {
      what: "A's update to reach the informer",
      timeoutMs: 20_000,
    });
    expect(recA.events).toEqual(['add(initial) default/same 1', 'update default/same 1→7']);
    expect(recB.events).toEqual(['add(initial) default/same 2']);
    expect(scopedB.get('same', 'default')?.spec).toEqual({ size: 2, colour: 'green' });

    // A delete in B reaches only B's handler (and the all-clusters one), and leaves A's object in the store.
    await clientB.delete(WidgetResource, 'same', { namespace: 'default' });
    await waitFor(() => informer.store.size === 1, {
      what: "B's delete to reach the informer",
      timeoutMs: 20_000,
    });
    expect(scopedB.list()).toEqual([]);
    expect(scopedB.get('same', 'default')).toBeUndefined();
    expect(scopedA.get('same', 'default')?.spec).toEqual({ size: 7, colour: 'red' });
    expect([...informer.store.keys()]).toEqual([`${a.clusterName}|default/same`]);
    expect(recB.events).toEqual(['add(initial) default/same 2', 'delete default/same 2']);
    expect(recA.events).toEqual(['add(initial) default/same 1', 'update default/same 1→7']);
    expect(recAll.events.slice(2)).toEqual(['update default/same 1→7', 'delete default/same 2']);

    // One LIST and exactly one WATCH connection, both on the wildcard URL.
    const streams = requests.filter((r) => r.stream);
    expect(streams).toHaveLength(1);
    expect(streams[0]?.url).toContain(`${wildcardUrl(endpointUrl)}/apis/example.io/v1/widgets?watch=1`);
    expect(requests.filter((r) => !r.stream).map((r) => r.method)).toEqual(['GET']);
    expect(errors).toEqual([]);
  });
});
