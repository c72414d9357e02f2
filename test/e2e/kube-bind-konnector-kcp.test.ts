/**
 * The konnector binding into a consumer kcp workspace (beyond upstream kube-bind, whose kcp-aware client is
 * an open epic): no CRD is written there; each bound resource is served by an APIResourceSchema, an
 * APIExport and an APIBinding in the workspace, owned by the APIServiceBinding. Instances travel up to the
 * provider workspace and their status comes back, as with a Kubernetes consumer; a workspace that already
 * serves the resource is reported, not taken over.
 */
import { CustomResourceDefinitionResource, NamespaceResource, isNotFound, waitFor } from '@kubeloom/core';
import { APIBindingResource, APIExportResource, APIResourceSchemaResource } from '@kubeloom/kcp-provider';
import { APIServiceBindingResource, Konnector, installKubeBindCrds } from '@kubeloom/kube-bind';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import {
  type ConsumerSetup,
  GROUP,
  GadgetResource,
  type TestProvider,
  WidgetResource,
  bind,
  consumersOwnGadgetCrd,
  createProvider,
  setUpConsumer,
  waitForBindingCondition,
} from './kube-bind-fixtures.ts';

const SLOW_MS = 120_000;

const getOrUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));

describe('kube-bind konnector into a kcp workspace', { timeout: 300_000 }, () => {
  let provider: TestProvider;
  let setup: ConsumerSetup;
  let consumer: ReturnType<Awaited<ReturnType<typeof sharedKcp>>['clientFor']>;
  const lifetime = new AbortController();
  let done: Promise<void> | undefined;

  beforeAll(async () => {
    const kcp = await sharedKcp();
    const [p, ws] = await Promise.all([
      createProvider(kcp),
      kcp.createWorkspace({ generateName: 'kb-consumer-ws-', timeoutMs: 240_000 }),
    ]);
    provider = p;
    consumer = kcp.clientFor(ws.path);
    setup = await setUpConsumer(provider, { widgets: ['Widget', 'widgets'], gadgets: ['Gadget', 'gadgets'] });
    for (const name of ['kube-bind', 'shop'])
      await consumer.create(NamespaceResource, { metadata: { name } });
    const konnector = new Konnector({
      consumer,
      consumerApis: 'APIBindings',
      heartbeatIntervalMs: 4_000,
      resyncMs: 2_000,
    });
    await installKubeBindCrds(consumer, 'consumer');
    done = konnector.start(lifetime.signal);
    await bind(consumer, 'widgets', 'kubeconfig-provider', setup.kubeconfig);
  }, 600_000);

  afterAll(async () => {
    lifetime.abort();
    await done;
    await provider?.stop();
  });

  it('serves the bound resource through an APIBinding owned by the binding, with no CRD in the workspace', async () => {
    await waitForBindingCondition(consumer, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    const binding = await consumer.get(APIServiceBindingResource, 'widgets');
    const name = `kube-bind.widgets.${GROUP}`;
    const apiBinding = await consumer.get(APIBindingResource, name);
    expect(apiBinding.status?.phase).toBe('Bound');
    const owner = { kind: 'APIServiceBinding', name: 'widgets', uid: binding.metadata.uid, controller: true };
    expect(apiBinding.metadata.ownerReferences).toEqual([expect.objectContaining(owner)]);
    expect((await consumer.get(APIExportResource, name)).metadata.ownerReferences).toEqual([
      expect.objectContaining(owner),
    ]);
    const schemas = (await consumer.list(APIResourceSchemaResource)).items.filter(
      (s) => s.spec.group === GROUP,
    );
    expect(schemas.map((s) => s.metadata.name)).toEqual([
      expect.stringMatching(/^kb[0-9a-f]{10}\.widgets\./),
    ]);
    expect(
      await getOrUndefined(consumer.get(CustomResourceDefinitionResource, `widgets.${GROUP}`)),
    ).toBeUndefined();
  });

  it('syncs an instance up to the provider workspace and its status back', async () => {
    const providerNs = `${setup.clusterNamespace}-shop`;
    await consumer.create(WidgetResource, { metadata: { name: 'w1', namespace: 'shop' }, spec: { size: 3 } });
    const copy = await waitFor(
      () => getOrUndefined(provider.client.get(WidgetResource, 'w1', { namespace: providerNs })),
      { what: `the provider copy in ${providerNs}`, timeoutMs: SLOW_MS },
    );
    expect(copy.spec).toEqual({ size: 3 });
    expect(Object.keys(copy.metadata?.annotations ?? {})).toContain('kube-bind.io/consumer-uid');
    await provider.client.patch(
      WidgetResource,
      'w1',
      { status: { phase: 'Ready' } },
      { namespace: providerNs, subresource: 'status' },
    );
    await waitFor(
      async () => (await consumer.get(WidgetResource, 'w1', { namespace: 'shop' })).status?.phase === 'Ready',
      { what: 'the status back in the consumer workspace', timeoutMs: SLOW_MS },
    );
    await consumer.delete(WidgetResource, 'w1', { namespace: 'shop' });
    // The finalizer holds the consumer object until the provider copy is gone.
    await waitFor(
      async () =>
        (await getOrUndefined(consumer.get(WidgetResource, 'w1', { namespace: 'shop' }))) === undefined,
      { what: 'the consumer object to be gone', timeoutMs: SLOW_MS },
    );
    expect(
      await getOrUndefined(provider.client.get(WidgetResource, 'w1', { namespace: providerNs })),
    ).toBeUndefined();
  });

  it('reports a resource the workspace already serves through its own CRD, and takes nothing over', async () => {
    await consumer.create(CustomResourceDefinitionResource, consumersOwnGadgetCrd());
    await waitFor(
      () =>
        consumer.list(GadgetResource, { namespace: 'shop' }).then(
          () => true,
          () => false,
        ),
      { what: 'the workspace to serve its own Gadgets', timeoutMs: SLOW_MS },
    );
    await consumer.create(GadgetResource, {
      metadata: { name: 'mine', namespace: 'shop' },
      spec: { size: 1 },
    });
    await consumer.create(APIServiceBindingResource, {
      metadata: { name: 'gadgets' },
      spec: {
        kubeconfigSecretRef: { namespace: 'kube-bind', name: 'kubeconfig-provider', key: 'kubeconfig' },
      },
    });
    const refused = await waitForBindingCondition(
      consumer,
      'gadgets',
      'Connected',
      { status: 'False', reason: 'APIBindingFailed' },
      SLOW_MS,
    );
    expect(refused.message).toMatch(/^kcp cannot bind APIExport kube-bind\.gadgets\..* in this workspace \(/);
    expect((await consumer.get(GadgetResource, 'mine', { namespace: 'shop' })).spec).toEqual({ size: 1 });
    expect(await consumer.get(CustomResourceDefinitionResource, `gadgets.${GROUP}`)).toBeDefined();
  });
});
