import {
  type ConfigMap,
  ConfigMapResource,
  Store,
  type WatchEvent,
  reflect,
  waitFor,
  watchResource,
} from '@kubeloom/core';
import { filter, map } from 'rxjs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

describe('watch streams on a real kcp', () => {
  it("watches a workspace's ConfigMaps as an Observable: a create and a delete, reflected into a store", {
    timeout: 120_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const workspace = await kcp.createWorkspace({ generateName: 'streams-' });
    const client = kcp.clientFor(workspace.path);

    const store = new Store<ConfigMap>({ clusterOf: () => workspace.path });
    const events: string[] = [];
    const errors: string[] = [];
    const subscription = watchResource(client, ConfigMapResource, { namespace: 'default' })
      .pipe(
        reflect(store),
        filter((e) => {
          if (e.type === 'error') errors.push(e.error.message);
          return e.type === 'apply' || e.type === 'delete' || e.type === 'initDone';
        }),
        map((e: WatchEvent<ConfigMap>) => ('object' in e ? `${e.type} ${e.object.metadata?.name}` : e.type)),
      )
      .subscribe((line) => events.push(line));
    onTestFinished(() => subscription.unsubscribe());

    await waitFor(() => events.includes('initDone'), {
      what: 'the initial list of ConfigMaps',
      timeoutMs: 60_000,
      describe: () => `errors: ${errors.join('; ') || 'none'}`,
    });
    await client.create(ConfigMapResource, {
      metadata: { name: 'streamed', namespace: 'default' },
      data: { greeting: 'hello' },
    });
    await waitFor(() => events.includes('apply streamed'), {
      what: 'the create as an apply',
      timeoutMs: 60_000,
    });
    expect(store.get(workspace.path, 'default', 'streamed')?.data).toEqual({ greeting: 'hello' });

    await client.delete(ConfigMapResource, 'streamed', { namespace: 'default' });
    await waitFor(() => events.includes('delete streamed'), { what: 'the delete', timeoutMs: 60_000 });
    expect(store.get(workspace.path, 'default', 'streamed')).toBeUndefined();
    expect(events.filter((e) => e.endsWith(' streamed'))).toEqual(['apply streamed', 'delete streamed']);
  });
});
