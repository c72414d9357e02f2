/**
 * The kube-bind konnector end to end: a provider in a kcp workspace (set up as the backend leaves it) and
 * two consumer clusters, each a real kube-apiserver of its own running a konnector. Instances travel up
 * with their spec and labels, status comes back, deletes go through the finalizer; the consumers never see
 * each other's objects; the upstream konnector's known defects are absent.
 */
import {
  type Client,
  ConfigMapResource,
  CustomResourceDefinitionResource,
  type Logger,
  NamespaceResource,
  SecretResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import {
  APIServiceBindingResource,
  BoundSchemaResource,
  ClusterBindingResource,
  Konnector,
  KONNECTOR_VERSION,
} from '@kubeloom/kube-bind';
import { scopedKubeconfig } from '@kubeloom/kube-bind/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import {
  type ConsumerSetup,
  GROUP,
  GadgetResource,
  GizmoResource,
  type TestProvider,
  type Widget,
  WidgetResource,
  addExport,
  bind,
  consumersOwnGadgetCrd,
  createProvider,
  setUpConsumer,
  startConsumer,
  waitForBindingCondition,
  waitForEvent,
} from './kube-bind-fixtures.ts';

const SLOW_MS = 120_000;

/** The label that makes a consumer Secret claimed by the gizmos export. */
const SHARE_LABEL = 'e2e.kube-bind.kubeloom.dev/share';

/** The gizmos export's claims: labelled Secrets, and two named ConfigMaps. */
const claimsOfGizmos = [
  { group: '', resource: 'secrets', selector: { labelSelector: { matchLabels: { [SHARE_LABEL]: 'yes' } } } },
  {
    group: '',
    resource: 'configmaps',
    selector: { namedResources: [{ name: 'provider-settings', namespace: 'shop' }] },
  },
];

/** A konnector running until `stop`. */
interface RunningKonnector {
  readonly konnector: Konnector;
  stop(): Promise<void>;
}

function runKonnector(consumer: Client, logger?: Logger): RunningKonnector {
  const konnector = new Konnector({
    consumer,
    heartbeatIntervalMs: 4_000,
    resyncMs: 2_000,
    ...(logger ? { logger } : {}),
  });
  const lifetime = new AbortController();
  const done = konnector.start(lifetime.signal);
  return {
    konnector,
    stop: async () => {
      lifetime.abort();
      await done;
    },
  };
}

const getOrUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));

/** The Secret `namespace/name` on `client`'s cluster, if it exists. */
const secretOn = (client: Client, namespace: string, name: string) =>
  getOrUndefined(client.get(SecretResource, name, { namespace }));

/** The decoded `side` key of a Secret. */
const sideOf = (s?: { data?: Record<string, string> }) =>
  Buffer.from(s?.data?.side ?? '', 'base64').toString();

/** The ConfigMap `namespace/name` on `client`'s cluster, if it exists. */
const configMapOn = (client: Client, namespace: string, name: string) =>
  getOrUndefined(client.get(ConfigMapResource, name, { namespace }));

describe('kube-bind konnector', { timeout: 300_000 }, () => {
  let provider: TestProvider;
  let a: { env: KubeTestEnvironment; setup: ConsumerSetup; konnector: RunningKonnector };
  let b: { env: KubeTestEnvironment; setup: ConsumerSetup; konnector: RunningKonnector };

  beforeAll(async () => {
    const kcp = await sharedKcp();
    const [p, envA, envB] = await Promise.all([
      createProvider(kcp),
      startConsumer('kb-consumer-a'),
      startConsumer('kb-consumer-b'),
    ]);
    provider = p;
    const [setupA, setupB] = await Promise.all([
      setUpConsumer(provider, { widgets: ['Widget', 'widgets'], gadgets: ['Gadget', 'gadgets'] }),
      setUpConsumer(provider, { widgets: ['Widget', 'widgets'], gadgets: ['Gadget', 'gadgets'] }),
    ]);
    for (const env of [envA, envB])
      await env.client.create(NamespaceResource, { metadata: { name: 'shop' } });
    await bind(envA.client, 'widgets', 'kubeconfig-provider', setupA.kubeconfig);
    await bind(envB.client, 'widgets', 'kubeconfig-provider', setupB.kubeconfig);
    a = { env: envA, setup: setupA, konnector: runKonnector(envA.client) };
    b = { env: envB, setup: setupB, konnector: runKonnector(envB.client) };
  }, 600_000);

  afterAll(async () => {
    await Promise.allSettled([a?.konnector.stop(), b?.konnector.stop()]);
    await provider?.stop();
    await Promise.allSettled([a?.env.stop(), b?.env.stop()]);
  });

  it('binds: the CRD is installed and owned by the binding, the binding is Ready, and the konnector beats on the ClusterBinding', async () => {
    await waitForBindingCondition(a.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    const binding = await a.env.client.get(APIServiceBindingResource, 'widgets');
    expect(binding.status?.providerPrettyName).toBe('Widget Corp');
    expect(binding.status?.boundSchemas).toEqual([{ group: GROUP, resource: 'widgets' }]);
    const crd = await a.env.client.get(CustomResourceDefinitionResource, `widgets.${GROUP}`);
    expect(crd.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'APIServiceBinding',
        name: 'widgets',
        uid: binding.metadata.uid,
        controller: true,
      }),
    ]);
    const heartbeat = await waitFor(
      async () => {
        const cb = await provider.client.get(ClusterBindingResource, 'cluster', {
          namespace: a.setup.clusterNamespace,
        });
        return cb.status?.consumerSecretRef ? cb.status : undefined;
      },
      { what: 'a heartbeat naming the consumer Secret on the ClusterBinding', timeoutMs: SLOW_MS },
    );
    expect(heartbeat.heartbeatInterval).toBe('4s');
    expect(heartbeat.konnectorVersion).toBe(KONNECTOR_VERSION);
    // The consumer Secret reference names the Secret's namespace and name, each in its own field.
    expect(heartbeat.consumerSecretRef).toEqual({ name: 'kubeconfig-provider', namespace: 'kube-bind' });
    const first = Date.parse(heartbeat.lastHeartbeatTime ?? '');
    await waitFor(
      async () => {
        const cb = await provider.client.get(ClusterBindingResource, 'cluster', {
          namespace: a.setup.clusterNamespace,
        });
        return Date.parse(cb.status?.lastHeartbeatTime ?? '') > first;
      },
      { what: 'the heartbeat to advance', timeoutMs: 30_000 },
    );
  });

  it('sends spec and labels up by server-side apply, brings status down, and deletes the provider copy before the consumer object', async () => {
    await waitForBindingCondition(a.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    const providerNs = `${a.setup.clusterNamespace}-shop`;
    await a.env.client.create(WidgetResource, {
      metadata: { name: 'w1', namespace: 'shop', labels: { tier: 'gold' } },
      spec: { size: 3 },
    });
    const copy = await waitFor(
      () => getOrUndefined(provider.client.get(WidgetResource, 'w1', { namespace: providerNs })),
      {
        what: `the provider copy of shop/w1 in ${providerNs}`,
        timeoutMs: SLOW_MS,
      },
    );
    const consumerObject = await a.env.client.get(WidgetResource, 'w1', { namespace: 'shop' });
    expect(copy.spec).toEqual({ size: 3 });
    expect(copy.metadata?.labels).toEqual({ tier: 'gold' });
    expect(copy.metadata?.annotations).toMatchObject({
      'kube-bind.io/cluster-namespace': a.setup.clusterNamespace,
      'kube-bind.io/consumer-namespace': 'shop',
      'kube-bind.io/consumer-uid': consumerObject.metadata?.uid,
    });
    expect(copy.metadata?.managedFields?.map((f) => (f as { manager?: string }).manager)).toContain(
      'kube-bind.io',
    );
    expect(consumerObject.metadata?.finalizers).toContain('kubebind.io/syncer');

    // A spec change and a label change after creation both travel up.
    await a.env.client.patch(
      WidgetResource,
      'w1',
      { metadata: { labels: { tier: 'silver' } }, spec: { size: 4 } },
      { namespace: 'shop' },
    );
    await waitFor(
      async () => {
        const c = await provider.client.get(WidgetResource, 'w1', { namespace: providerNs });
        return c.spec?.size === 4 && c.metadata?.labels?.tier === 'silver';
      },
      { what: 'the spec and label change on the provider copy', timeoutMs: SLOW_MS },
    );

    // The provider's operator writes status; it comes back with where the copy lives.
    await provider.client.patch(
      WidgetResource,
      'w1',
      { status: { phase: 'Ready' } },
      { namespace: providerNs, subresource: 'status' },
    );
    const synced = await waitFor(
      async () => {
        const o = await a.env.client.get(WidgetResource, 'w1', { namespace: 'shop' });
        return o.status?.phase === 'Ready' ? o : undefined;
      },
      { what: 'status Ready on the consumer object', timeoutMs: SLOW_MS },
    );
    expect(synced.metadata?.annotations).toMatchObject({ 'kube-bind.io/provider-namespace': providerNs });

    await a.env.client.delete(WidgetResource, 'w1', { namespace: 'shop' });
    await waitFor(
      async () =>
        (await getOrUndefined(a.env.client.get(WidgetResource, 'w1', { namespace: 'shop' }))) === undefined,
      {
        what: 'the consumer object to be gone',
        timeoutMs: SLOW_MS,
      },
    );
    expect(
      await getOrUndefined(provider.client.get(WidgetResource, 'w1', { namespace: providerNs })),
    ).toBeUndefined();
  });

  it('keeps two consumers of the same export apart', async () => {
    await waitForBindingCondition(b.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    await a.env.client.create(WidgetResource, {
      metadata: { name: 'same', namespace: 'shop' },
      spec: { size: 1 },
    });
    await b.env.client.create(WidgetResource, {
      metadata: { name: 'same', namespace: 'shop' },
      spec: { size: 2 },
    });
    const nsA = `${a.setup.clusterNamespace}-shop`;
    const nsB = `${b.setup.clusterNamespace}-shop`;
    await waitFor(() => getOrUndefined(provider.client.get(WidgetResource, 'same', { namespace: nsA })), {
      what: 'copy A',
      timeoutMs: SLOW_MS,
    });
    await waitFor(() => getOrUndefined(provider.client.get(WidgetResource, 'same', { namespace: nsB })), {
      what: 'copy B',
      timeoutMs: SLOW_MS,
    });
    await provider.client.patch(
      WidgetResource,
      'same',
      { status: { phase: 'B-only' } },
      { namespace: nsB, subresource: 'status' },
    );
    await provider.client.patch(
      WidgetResource,
      'same',
      { status: { phase: 'A-only' } },
      { namespace: nsA, subresource: 'status' },
    );
    await waitFor(
      async () =>
        (await b.env.client.get(WidgetResource, 'same', { namespace: 'shop' })).status?.phase === 'B-only',
      {
        what: 'B to get its own status',
        timeoutMs: SLOW_MS,
      },
    );
    await waitFor(
      async () =>
        (await a.env.client.get(WidgetResource, 'same', { namespace: 'shop' })).status?.phase === 'A-only',
      {
        what: 'A to get its own status',
        timeoutMs: SLOW_MS,
      },
    );
    expect((await provider.client.get(WidgetResource, 'same', { namespace: nsA })).spec).toEqual({ size: 1 });
    expect((await provider.client.get(WidgetResource, 'same', { namespace: nsB })).spec).toEqual({ size: 2 });
    expect(
      (await a.env.client.list(WidgetResource)).items.map(
        (w) => `${w.metadata?.namespace}/${w.metadata?.name}`,
      ),
    ).toEqual(['shop/same']);
  });

  it('never deletes objects the provider created itself', async () => {
    const providerNs = `${a.setup.clusterNamespace}-shop`;
    await waitFor(() => getOrUndefined(provider.client.get(NamespaceResource, providerNs)), {
      what: providerNs,
      timeoutMs: SLOW_MS,
    });
    await provider.client.create(WidgetResource, {
      metadata: { name: 'provider-made', namespace: providerNs },
      spec: { size: 5 },
    });
    // A consumer object created afterwards and synced proves the syncer has seen the provider's object.
    await a.env.client.create(WidgetResource, {
      metadata: { name: 'after', namespace: 'shop' },
      spec: { size: 1 },
    });
    await waitFor(
      () => getOrUndefined(provider.client.get(WidgetResource, 'after', { namespace: providerNs })),
      { what: 'copy of after', timeoutMs: SLOW_MS },
    );
    expect(
      await getOrUndefined(provider.client.get(WidgetResource, 'provider-made', { namespace: providerNs })),
    ).toBeDefined();
    expect(
      await getOrUndefined(a.env.client.get(WidgetResource, 'provider-made', { namespace: 'shop' })),
    ).toBeUndefined();
  });

  it('reports an object the provider rejects with an event, and deletes nothing', async () => {
    await a.env.client.create(WidgetResource, {
      metadata: { name: 'too-big', namespace: 'shop' },
      spec: { size: 50 },
    });
    const message = await waitForEvent(a.env.client, 'too-big', 'ProviderRejected', 'shop');
    expect(message).toMatch(
      new RegExp(
        `^the provider rejected Widget ${a.setup.clusterNamespace}-shop/too-big: .*spec\\.size.*\\. Fix the object; it is retried$`,
      ),
    );
    expect(await a.env.client.get(WidgetResource, 'too-big', { namespace: 'shop' })).toBeDefined();
    await a.env.client.delete(WidgetResource, 'too-big', { namespace: 'shop' });
    await waitFor(
      async () =>
        (await getOrUndefined(a.env.client.get(WidgetResource, 'too-big', { namespace: 'shop' }))) ===
        undefined,
      {
        what: 'the rejected object to be deletable',
        timeoutMs: SLOW_MS,
      },
    );
  });

  it('refuses to take over a CRD it does not own, with a condition and an event', async () => {
    await a.env.client.create(CustomResourceDefinitionResource, consumersOwnGadgetCrd());
    await a.env.client.create(APIServiceBindingResource, {
      metadata: { name: 'gadgets' },
      spec: {
        kubeconfigSecretRef: { namespace: 'kube-bind', name: 'kubeconfig-provider', key: 'kubeconfig' },
      },
    });
    const expected = `CustomResourceDefinition gadgets.${GROUP} already exists and is not owned by APIServiceBinding gadgets; it is left untouched. Delete it (and its objects) or bind another export`;
    const condition = await waitForBindingCondition(
      a.env.client,
      'gadgets',
      'Connected',
      { status: 'False', reason: 'ForeignCustomResourceDefinition' },
      SLOW_MS,
    );
    expect(condition.message).toBe(expected);
    expect(await waitForEvent(a.env.client, 'gadgets', 'ForeignCustomResourceDefinition')).toBe(expected);
    const crd = await a.env.client.get(CustomResourceDefinitionResource, `gadgets.${GROUP}`);
    expect(crd.metadata?.ownerReferences).toBeUndefined();
    // The other binding of the same provider is unaffected.
    await waitForBindingCondition(a.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('reports a CRD update the consumer rejects instead of dropping it, and keeps what is bound', async () => {
    await b.env.client.create(APIServiceBindingResource, {
      metadata: { name: 'gadgets' },
      spec: {
        kubeconfigSecretRef: { namespace: 'kube-bind', name: 'kubeconfig-provider', key: 'kubeconfig' },
      },
    });
    await waitForBindingCondition(b.env.client, 'gadgets', 'Ready', { status: 'True' }, SLOW_MS);
    await b.env.client.create(GadgetResource, {
      metadata: { name: 'g1', namespace: 'shop' },
      spec: { size: 1 },
    });
    // The provider changes the schema in a way the consumer's API server refuses (scope is immutable).
    await provider.client.patch(
      BoundSchemaResource,
      `gadgets.${GROUP}`,
      { spec: { scope: 'Cluster' } },
      { namespace: b.setup.clusterNamespace },
    );
    const condition = await waitForBindingCondition(
      b.env.client,
      'gadgets',
      'SchemaInSync',
      { status: 'False', reason: 'CustomResourceDefinitionUpdateFailed' },
      SLOW_MS,
    );
    expect(condition.message).toMatch(
      new RegExp(
        `^cannot update CustomResourceDefinition gadgets\\.${GROUP.replaceAll('.', '\\.')} from BoundSchema gadgets\\.${GROUP.replaceAll('.', '\\.')}: .*scope`,
      ),
    );
    expect(await b.env.client.get(GadgetResource, 'g1', { namespace: 'shop' })).toBeDefined();
    await provider.client.patch(
      BoundSchemaResource,
      `gadgets.${GROUP}`,
      { spec: { scope: 'Namespaced' } },
      { namespace: b.setup.clusterNamespace },
    );
    await waitForBindingCondition(b.env.client, 'gadgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('binds a cluster-scoped resource: prefixed copies on the provider, status back, deletes through the finalizer', async () => {
    const ns = a.setup.clusterNamespace;
    await addExport(
      provider,
      ns,
      'gizmos',
      { kind: 'Gizmo', plural: 'gizmos', scope: 'Cluster' },
      claimsOfGizmos,
    );
    await a.env.client.create(APIServiceBindingResource, {
      metadata: { name: 'gizmos' },
      spec: {
        kubeconfigSecretRef: { namespace: 'kube-bind', name: 'kubeconfig-provider', key: 'kubeconfig' },
      },
    });
    await waitForBindingCondition(a.env.client, 'gizmos', 'Ready', { status: 'True' }, SLOW_MS);
    const crd = await a.env.client.get(CustomResourceDefinitionResource, `gizmos.${GROUP}`);
    expect(crd.spec?.scope).toBe('Cluster');
    await a.env.client.create(GizmoResource, { metadata: { name: 'g1' }, spec: { size: 2 } });
    const copy = await waitFor(() => getOrUndefined(provider.client.get(GizmoResource, `${ns}-g1`)), {
      what: `the provider copy ${ns}-g1`,
      timeoutMs: SLOW_MS,
    });
    expect(copy.spec).toEqual({ size: 2 });
    expect(copy.metadata?.annotations?.['kube-bind.io/cluster-namespace']).toBe(ns);
    // Consumer b binds nothing of this kind; a's copy is the only one, under a's prefix.
    expect((await provider.client.list(GizmoResource)).items.map((g) => g.metadata?.name)).toEqual([
      `${ns}-g1`,
    ]);
    await provider.client.patch(
      GizmoResource,
      `${ns}-g1`,
      { status: { phase: 'Polished' } },
      { subresource: 'status' },
    );
    await waitFor(async () => (await a.env.client.get(GizmoResource, 'g1')).status?.phase === 'Polished', {
      what: 'the Gizmo status back on the consumer',
      timeoutMs: SLOW_MS,
    });
    expect((await a.env.client.get(GizmoResource, 'g1')).metadata?.finalizers).toEqual([
      'kubebind.io/syncer',
    ]);
    await a.env.client.delete(GizmoResource, 'g1');
    // The finalizer holds the consumer object until the provider copy is gone.
    await waitFor(async () => (await getOrUndefined(a.env.client.get(GizmoResource, 'g1'))) === undefined, {
      what: 'the consumer object to be gone',
      timeoutMs: SLOW_MS,
    });
    expect(await getOrUndefined(provider.client.get(GizmoResource, `${ns}-g1`))).toBeUndefined();
  });

  it("syncs claimed Secrets and ConfigMaps in the direction their owner says, and touches no one else's", async () => {
    const providerNs = `${a.setup.clusterNamespace}-shop`;
    await waitForBindingCondition(
      a.env.client,
      'gizmos',
      'PermissionClaimsSynced',
      { status: 'True' },
      SLOW_MS,
    );
    // Consumer-owned: a labelled Secret goes up; an unlabelled one stays home.
    await a.env.client.create(SecretResource, {
      metadata: { name: 'private', namespace: 'shop' },
      stringData: { password: 'not-for-the-provider' },
    });
    await a.env.client.create(SecretResource, {
      metadata: { name: 'db-creds', namespace: 'shop', labels: { [SHARE_LABEL]: 'yes' } },
      stringData: { password: 'one' },
    });
    const up = await waitFor(() => secretOn(provider.client, providerNs, 'db-creds'), {
      what: `the claimed Secret in ${providerNs}`,
      timeoutMs: SLOW_MS,
    });
    const original = await a.env.client.get(SecretResource, 'db-creds', { namespace: 'shop' });
    expect(up.data).toEqual(original.data);
    expect(up.metadata?.labels).toEqual({ [SHARE_LABEL]: 'yes', 'kube-bind.io/owner': 'consumer' });
    expect(up.metadata?.annotations).toMatchObject({
      'kube-bind.io/cluster-namespace': a.setup.clusterNamespace,
      'kube-bind.io/consumer-namespace': 'shop',
      'kube-bind.io/consumer-uid': original.metadata?.uid,
    });
    expect(await secretOn(provider.client, providerNs, 'private')).toBeUndefined();
    await a.env.client.patch(
      SecretResource,
      'db-creds',
      { stringData: { password: 'two' } },
      { namespace: 'shop' },
    );
    await waitFor(
      async () =>
        Buffer.from(
          (await secretOn(provider.client, providerNs, 'db-creds'))?.data?.password ?? '',
          'base64',
        ).toString() === 'two',
      { what: 'the changed Secret on the provider', timeoutMs: SLOW_MS },
    );

    // Provider-owned: a named ConfigMap comes down, follows changes, and goes when the provider removes it.
    await provider.client.create(ConfigMapResource, {
      metadata: { name: 'provider-settings', namespace: providerNs },
      data: { endpoint: 'db.example:5432' },
    });
    const down = await waitFor(() => configMapOn(a.env.client, 'shop', 'provider-settings'), {
      what: 'the provider-owned ConfigMap on the consumer',
      timeoutMs: SLOW_MS,
    });
    expect(down.data).toEqual({ endpoint: 'db.example:5432' });
    expect(down.metadata?.labels?.['kube-bind.io/owner']).toBe('provider');
    expect(down.metadata?.annotations?.['kube-bind.io/provider-namespace']).toBe(providerNs);
    expect(Object.keys(down.metadata?.annotations ?? {}).filter((k) => k.startsWith('kcp.io/'))).toEqual([]);
    await provider.client.patch(
      ConfigMapResource,
      'provider-settings',
      { data: { endpoint: 'db2.example:5432' } },
      { namespace: providerNs },
    );
    await waitFor(
      async () =>
        (await configMapOn(a.env.client, 'shop', 'provider-settings'))?.data?.endpoint === 'db2.example:5432',
      { what: 'the changed ConfigMap on the consumer', timeoutMs: SLOW_MS },
    );

    // The same name on both sides, neither labelled with an owner: nobody can tell the original, so neither
    // is touched, and an event says so. (The consumer's is not claimed: it never went up.)
    await a.env.client.create(SecretResource, {
      metadata: { name: 'both', namespace: 'shop' },
      stringData: { side: 'consumer' },
    });
    await provider.client.create(SecretResource, {
      metadata: { name: 'both', namespace: providerNs, labels: { [SHARE_LABEL]: 'yes' } },
      stringData: { side: 'provider' },
    });
    const conflict = await waitForEvent(a.env.client, 'both', 'ClaimConflict', 'shop');
    expect(conflict).toBe(
      `Secret ${providerNs}/both on the provider exists and is not a copy kube-bind made; it is left untouched. Label the original with kube-bind.io/owner=provider or =consumer, or remove one of the two`,
    );
    expect(sideOf(await secretOn(a.env.client, 'shop', 'both'))).toBe('consumer');
    expect(sideOf(await secretOn(provider.client, providerNs, 'both'))).toBe('provider');

    // Deleting an original removes its copy on the other side, in both directions.
    await a.env.client.delete(SecretResource, 'db-creds', { namespace: 'shop' });
    await provider.client.delete(ConfigMapResource, 'provider-settings', { namespace: providerNs });
    await waitFor(async () => (await secretOn(provider.client, providerNs, 'db-creds')) === undefined, {
      what: 'the provider copy of a deleted consumer Secret to go',
      timeoutMs: SLOW_MS,
    });
    await waitFor(async () => (await configMapOn(a.env.client, 'shop', 'provider-settings')) === undefined, {
      what: 'the consumer copy of a deleted provider ConfigMap to go',
      timeoutMs: SLOW_MS,
    });
    expect(await secretOn(a.env.client, 'shop', 'private')).toBeDefined();
  });

  it('follows a provider credential rotation into the Secret the binding names, and keeps syncing', async () => {
    const rotated = scopedKubeconfig({
      server: provider.server,
      ...(provider.caData ? { certificateAuthorityData: provider.caData } : {}),
      token: provider.token,
      namespace: b.setup.clusterNamespace,
      name: 'provider-rotated',
    });
    await provider.client.patch(
      SecretResource,
      'kubeconfig',
      { data: { kubeconfig: Buffer.from(rotated).toString('base64') } },
      { namespace: b.setup.clusterNamespace },
    );
    await waitFor(
      async () => {
        const s = await b.env.client.get(SecretResource, 'kubeconfig-provider', { namespace: 'kube-bind' });
        return Buffer.from(s.data?.kubeconfig ?? '', 'base64').toString('utf8') === rotated;
      },
      { what: 'the rotated kubeconfig in kube-bind/kubeconfig-provider', timeoutMs: SLOW_MS },
    );
    await b.env.client.create(WidgetResource, {
      metadata: { name: 'after-rotation', namespace: 'shop' },
      spec: { size: 2 },
    });
    await waitFor(
      () =>
        getOrUndefined(
          provider.client.get(WidgetResource, 'after-rotation', {
            namespace: `${b.setup.clusterNamespace}-shop`,
          }),
        ),
      { what: 'a copy made with the rotated kubeconfig', timeoutMs: SLOW_MS },
    );
    await waitFor(() => b.konnector.konnector.connectionCount === 1, {
      what: 'the old connection to close',
      timeoutMs: SLOW_MS,
    });
    expect(b.konnector.konnector.connectionCount).toBe(1);
  });

  it('reports a revoked kubeconfig and an unreachable provider, deleting nothing, and recovers', async () => {
    const good = await a.env.client.get(SecretResource, 'kubeconfig-provider', { namespace: 'kube-bind' });
    const setKubeconfig = (text: string) =>
      a.env.client.patch(
        SecretResource,
        'kubeconfig-provider',
        { data: { kubeconfig: Buffer.from(text).toString('base64') } },
        { namespace: 'kube-bind' },
      );
    const base = {
      ...(provider.caData ? { certificateAuthorityData: provider.caData } : {}),
      namespace: a.setup.clusterNamespace,
    };
    await setKubeconfig(scopedKubeconfig({ ...base, server: provider.server, token: 'revoked-token' }));
    const revoked = await waitForBindingCondition(
      a.env.client,
      'widgets',
      'Connected',
      { status: 'False', reason: 'ProviderUnauthorized' },
      SLOW_MS,
    );
    expect(revoked.message).toBe(
      `the provider at ${provider.server} rejected the kubeconfig in Secret kube-bind/kubeconfig-provider (401 Unauthorized): it expired or was revoked. Bind again (kubeloom bind) or put a valid kubeconfig into the Secret; nothing bound is deleted meanwhile`,
    );
    expect(JSON.stringify(await a.env.client.get(APIServiceBindingResource, 'widgets'))).not.toContain(
      'revoked-token',
    );
    expect(await waitForEvent(a.env.client, 'widgets', 'ProviderUnauthorized')).toBe(revoked.message);
    // Heartbeats of the connection the bindings left do not copy the provider's kubeconfig back over the one
    // put into the Secret (rotation applies only to a Secret that still holds that connection's kubeconfig).
    const held = await a.env.client.get(SecretResource, 'kubeconfig-provider', { namespace: 'kube-bind' });
    expect(Buffer.from(held.data?.kubeconfig ?? '', 'base64').toString('utf8')).toContain('revoked-token');

    await setKubeconfig(scopedKubeconfig({ ...base, server: 'https://127.0.0.1:1', token: provider.token }));
    const down = await waitForBindingCondition(
      a.env.client,
      'widgets',
      'Connected',
      { status: 'False', reason: 'ProviderUnreachable' },
      SLOW_MS,
    );
    expect(down.message).toMatch(
      /^cannot reach the provider at https:\/\/127\.0\.0\.1:1 \(kubeconfig in Secret kube-bind\/kubeconfig-provider\): .*\. The konnector keeps retrying; nothing bound is deleted meanwhile$/,
    );
    expect(down.message).not.toContain(provider.token);

    // Nothing bound was deleted meanwhile.
    expect(await a.env.client.get(CustomResourceDefinitionResource, `widgets.${GROUP}`)).toBeDefined();
    expect(await a.env.client.get(WidgetResource, 'same', { namespace: 'shop' })).toBeDefined();
    expect(
      await provider.client.get(WidgetResource, 'same', { namespace: `${a.setup.clusterNamespace}-shop` }),
    ).toBeDefined();

    await a.env.client.patch(
      SecretResource,
      'kubeconfig-provider',
      { data: good.data ?? {} },
      { namespace: 'kube-bind' },
    );
    await waitForBindingCondition(a.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('reports a ClusterBinding the backend removed, and beats again once it is back', async () => {
    const ns = b.setup.clusterNamespace;
    const original = await provider.client.get(ClusterBindingResource, 'cluster', { namespace: ns });
    await provider.client.delete(ClusterBindingResource, 'cluster', { namespace: ns });
    const missing = await waitForBindingCondition(
      b.env.client,
      'widgets',
      'Heartbeating',
      { status: 'False', reason: 'ClusterBindingMissing' },
      SLOW_MS,
    );
    expect(missing.message).toBe(
      `the provider has no ClusterBinding "cluster" in namespace ${ns}: the backend has not set this consumer up, or removed it. Bind again (kubeloom bind)`,
    );
    expect(await b.env.client.get(CustomResourceDefinitionResource, `widgets.${GROUP}`)).toBeDefined();
    await provider.client.create(ClusterBindingResource, {
      metadata: { name: 'cluster', namespace: ns },
      spec: original.spec,
    });
    await waitForBindingCondition(b.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('converges after a restart: changes made while it was down are synced, nothing is duplicated', async () => {
    const providerNs = `${a.setup.clusterNamespace}-shop`;
    await waitForBindingCondition(a.env.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    await a.konnector.stop();
    await a.env.client.create(WidgetResource, {
      metadata: { name: 'while-down', namespace: 'shop' },
      spec: { size: 7 },
    });
    await a.env.client.delete(WidgetResource, 'after', { namespace: 'shop' });
    a.konnector = runKonnector(a.env.client);
    await waitFor(
      () => getOrUndefined(provider.client.get(WidgetResource, 'while-down', { namespace: providerNs })),
      {
        what: 'the copy of an object created while the konnector was down',
        timeoutMs: SLOW_MS,
      },
    );
    await waitFor(
      async () =>
        (await getOrUndefined(provider.client.get(WidgetResource, 'after', { namespace: providerNs }))) ===
        undefined,
      {
        what: 'the copy of an object deleted while the konnector was down to go',
        timeoutMs: SLOW_MS,
      },
    );
    const consumerNames = (await a.env.client.list(WidgetResource, { namespace: 'shop' })).items
      .map((w) => w.metadata?.name ?? '')
      .toSorted((x, y) => x.localeCompare(y));
    const copies = (await provider.client.list(WidgetResource, { namespace: providerNs })).items
      .filter((w) => w.metadata?.annotations?.['kube-bind.io/cluster-namespace'] === a.setup.clusterNamespace)
      .map((w) => w.metadata?.name ?? '')
      .toSorted((x, y) => x.localeCompare(y));
    expect(copies).toEqual(consumerNames);
    expect(consumerNames).toEqual(['same', 'while-down']);
    const w: Widget = await a.env.client.get(WidgetResource, 'while-down', { namespace: 'shop' });
    expect(w.metadata?.finalizers).toEqual(['kubebind.io/syncer']);
  });
});
