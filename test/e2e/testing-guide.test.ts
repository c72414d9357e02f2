/**
 * The runnable example of docs/testing.md: one controller, tested against a real Kubernetes API server and
 * a real kcp workspace side by side, in one manager. Run it with
 * `./run build && pnpm vitest run --project e2e test/e2e/testing-guide.test.ts`.
 */
import {
  type ConfigMap,
  ConfigMapResource,
  type Client,
  type Controller,
  ControllerBuilder,
  Manager,
  NamespaceResource,
  StaticProvider,
  createOrUpdate,
  isNotFound,
  predicateFn,
  setControllerReference,
  silentLogger,
  waitFor,
} from '@kubeloom/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { sharedKube } from './kube.ts';

/** ConfigMaps with this label get a mirror. */
const MIRROR = 'guide.kubeloom.dev/mirror';

/** The controller under test: keeps `<name>-mirror`, a copy of each labelled ConfigMap's data that it owns. */
function mirrorController(manager: Manager): Controller {
  return new ControllerBuilder('configmap-mirror')
    .for(ConfigMapResource, {
      predicates: [predicateFn<ConfigMap>((cm) => cm.metadata?.labels?.[MIRROR] === 'true')],
    })
    .withOptions({ logger: manager.logger })
    .build(async (request, ctx) => {
      const original = ctx.cluster.cache.reader(ConfigMapResource).get(request.name, request.namespace);
      // Deleted: the API server's garbage collector removes the mirror it owned.
      if (!original) return;
      const key = { name: `${request.name}-mirror`, namespace: request.namespace };
      await createOrUpdate(ctx.cluster.client, ConfigMapResource, key, (mirror) => {
        mirror.data = { ...original.data };
        setControllerReference(original, mirror, ConfigMapResource);
      });
    });
}

/** The same steps for every cluster: a mirror appears, follows changes, and is garbage-collected. */
async function mirrorLifecycle(client: Client, namespace: string): Promise<string[]> {
  const seen: string[] = [];
  const get = (name: string) => client.get(ConfigMapResource, name, { namespace });
  await client.create(ConfigMapResource, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace, labels: { [MIRROR]: 'true' } },
    data: { color: 'blue' },
  });
  const mirror = await waitFor(() => get('settings-mirror').catch(() => undefined), {
    what: `settings-mirror in ${namespace}`,
  });
  const owners = mirror.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}`).join(',');
  seen.push(`mirror ${mirror.data?.color} owned by ${owners}`);

  await client.patch(ConfigMapResource, 'settings', { data: { color: 'green' } }, { namespace });
  await waitFor(async () => (await get('settings-mirror')).data?.color === 'green', {
    what: 'the mirror to follow the change',
  });
  seen.push('mirror followed the change');

  await client.delete(ConfigMapResource, 'settings', { namespace });
  await waitFor(() => get('settings-mirror').then(() => false, isNotFound), {
    what: 'the garbage collector to delete the mirror',
  });
  seen.push('mirror garbage-collected');
  return seen;
}

describe('testing guide: one controller against a real cluster and real kcp', () => {
  it('mirrors ConfigMaps in a kube-apiserver namespace and in a kcp workspace alike', async () => {
    const [kube, kcp] = await Promise.all([sharedKube(), sharedKcp()]);
    onTestFinished(() => Promise.all([kube.stop(), kcp.stop()]).then(() => {}));
    const workspace = await kcp.createWorkspace();
    const namespace = (
      await kube.client.create(NamespaceResource, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { generateName: 'guide-' },
      })
    ).metadata?.name;
    if (!namespace) throw new Error('the namespace has no name');

    const provider = new StaticProvider();
    const kubeClient = provider.add('kube', kube.client).client;
    const kcpClient = provider.add('kcp', kcp.clientFor(workspace.path)).client;
    const manager = new Manager({
      local: kube.client,
      provider,
      logger: silentLogger,
      healthProbeBindAddress: '127.0.0.1:0',
      metricsBindAddress: '127.0.0.1:0',
    });
    manager.add(mirrorController(manager));
    void manager.start();
    onTestFinished(() => manager.stop());
    await manager.started;

    const expected = [
      'mirror blue owned by ConfigMap/settings',
      'mirror followed the change',
      'mirror garbage-collected',
    ];
    expect(
      await Promise.all([mirrorLifecycle(kubeClient, namespace), mirrorLifecycle(kcpClient, 'default')]),
    ).toEqual([expected, expected]);
  });
});
