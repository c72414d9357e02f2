/**
 * A kube-bind provider in a fresh kcp workspace, set up the way a backend leaves it for each consumer (a
 * cluster namespace with its ClusterBinding, kubeconfig Secret, APIServiceExport and BoundSchema), and
 * consumer clusters (real kube-apiservers of their own) holding a binding. The backend's APIServiceNamespace
 * controller runs on the workspace.
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  type CustomResourceDefinition,
  EventResource,
  NamespaceResource,
  ParsedKubeConfig,
  SecretResource,
  defineResource,
  newCluster,
  waitFor,
  type KubeObject,
} from '@kubeloom/core';
import { KubeTestEnvironment, installCrds } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import {
  type APIServiceBinding,
  APIServiceBindingResource,
  APIServiceExportResource,
  type BoundSchema,
  BoundSchemaResource,
  ClusterBindingResource,
  type KubeBindCondition,
  type PermissionClaim,
  kubeBindCrdFiles,
} from '@kubeloom/kube-bind';
import { scopedKubeconfig, serviceNamespaceController } from '@kubeloom/kube-bind/backend';

/** The bound API of these tests. */
export const GROUP = 'e2e.kube-bind.kubeloom.dev';

/** A Widget: the service's API the provider exports. */
export interface Widget extends KubeObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

/** Widgets (namespaced, with a status subresource). */
export const WidgetResource = defineResource<Widget>({
  group: GROUP,
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** Gizmos: a cluster-scoped exported API. */
export const GizmoResource = defineResource<Widget>({
  group: GROUP,
  version: 'v1',
  kind: 'Gizmo',
  plural: 'gizmos',
  namespaced: false,
});

/** Gadgets: a second exported API, for the conflicting-CRD and schema-change cases. */
export const GadgetResource = defineResource<Widget>({
  group: GROUP,
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
});

const schemaOf = (maxSize?: number): Record<string, unknown> => ({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: { size: { type: 'integer', ...(maxSize !== undefined ? { maximum: maxSize } : {}) } },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
});

/** The BoundSchema of `kind`/`plural` as the backend would write it (no size limit). */
export function boundSchemaOf(
  kind: string,
  plural: string,
  namespace: string,
  scope: 'Namespaced' | 'Cluster' = 'Namespaced',
): BoundSchema {
  return {
    metadata: { name: `${plural}.${GROUP}`, namespace },
    spec: {
      group: GROUP,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope,
      informerScope: 'Cluster',
      versions: [
        { name: 'v1', served: true, storage: true, schema: schemaOf(), subresources: { status: {} } },
      ],
    },
  };
}

/** The provider's own CRD of `kind`: stricter than the BoundSchema (size at most 10), so the provider can reject. */
function providerCrd(
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster' = 'Namespaced',
): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schemaOf(10) },
          subresources: { status: {} },
        },
      ],
    },
  };
}

/** A Gadget CRD the consumer made itself (not the binding's), for the refuse-to-take-over cases. */
export function consumersOwnGadgetCrd(): CustomResourceDefinition {
  return {
    metadata: { name: `gadgets.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: 'Gadget', plural: 'gadgets' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
            },
          },
        },
      ],
    },
  };
}

/** A provider workspace with the kube-bind CRDs, the service's CRDs and the backend's namespace controller. */
export interface TestProvider {
  readonly workspace: KcpWorkspace;
  readonly client: Client;
  /** The workspace's URL, CA and the admin token, for consumer kubeconfigs. */
  readonly server: string;
  readonly caData: string | undefined;
  readonly token: string;
  stop(): Promise<void>;
}

/** Creates the provider workspace and starts the backend's APIServiceNamespace controller on it. */
export async function createProvider(kcp: KcpTestEnvironment): Promise<TestProvider> {
  const workspace = await kcp.createWorkspace({ generateName: 'kube-bind-provider-', timeoutMs: 240_000 });
  const client = kcp.clientFor(workspace.path);
  await installCrds(
    client,
    [
      ...kubeBindCrdFiles('provider'),
      providerCrd('Widget', 'widgets'),
      providerCrd('Gadget', 'gadgets'),
      providerCrd('Gizmo', 'gizmos', 'Cluster'),
    ],
    {
      timeoutMs: 120_000,
    },
  );
  const lifetime = new AbortController();
  const controller = serviceNamespaceController({ clusters: 'local' });
  await controller.engage('', newCluster('', client, { signal: lifetime.signal }), lifetime.signal);
  const done = controller.start(lifetime.signal);
  const admin = new ParsedKubeConfig();
  admin.loadFromFile(kcp.kubeconfigPath);
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  return {
    workspace,
    client,
    server: `${kcp.baseUrl}/clusters/${workspace.path}`,
    caData: cluster?.caData,
    token: user?.token ?? '',
    stop: async () => {
      lifetime.abort();
      await done;
    },
  };
}

/** One consumer's cluster namespace on the provider, as the backend sets it up. */
export interface ConsumerSetup {
  readonly clusterNamespace: string;
  /** The kubeconfig the backend hands to this consumer. */
  readonly kubeconfig: string;
}

/**
 * Sets up a consumer's cluster namespace: ClusterBinding, the kubeconfig Secret it names, and an export
 * (with its BoundSchemas) per entry of `exports` (export name → [kind, plural]).
 */
export async function setUpConsumer(
  provider: TestProvider,
  exports: Record<string, [kind: string, plural: string]>,
): Promise<ConsumerSetup> {
  const clusterNamespace = `kube-bind-${randomBytes(4).toString('hex')}`;
  const kubeconfig = scopedKubeconfig({
    server: provider.server,
    ...(provider.caData ? { certificateAuthorityData: provider.caData } : {}),
    token: provider.token,
    namespace: clusterNamespace,
  });
  const c = provider.client;
  await c.create(NamespaceResource, { metadata: { name: clusterNamespace } });
  await c.create(SecretResource, {
    metadata: { name: 'kubeconfig', namespace: clusterNamespace },
    data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
  });
  await c.create(ClusterBindingResource, {
    metadata: { name: 'cluster', namespace: clusterNamespace },
    spec: {
      kubeconfigSecretRef: { name: 'kubeconfig', key: 'kubeconfig' },
      providerPrettyName: 'Widget Corp',
    },
  });
  for (const [name, [kind, plural]] of Object.entries(exports))
    await addExport(provider, clusterNamespace, name, { kind, plural });
  return { clusterNamespace, kubeconfig };
}

/** Adds an export `name` of one resource (with its BoundSchema) to a consumer's cluster namespace. */
export async function addExport(
  provider: TestProvider,
  clusterNamespace: string,
  name: string,
  resource: { kind: string; plural: string; scope?: 'Namespaced' | 'Cluster' },
  permissionClaims?: PermissionClaim[],
): Promise<void> {
  const c = provider.client;
  await c.create(
    BoundSchemaResource,
    boundSchemaOf(resource.kind, resource.plural, clusterNamespace, resource.scope),
  );
  await c.create(APIServiceExportResource, {
    metadata: { name, namespace: clusterNamespace },
    spec: {
      resources: [{ group: GROUP, resource: resource.plural, versions: ['v1'] }],
      informerScope: 'Cluster',
      isolation: 'Prefixed',
      ...(permissionClaims ? { permissionClaims } : {}),
    },
  });
}

/** A consumer cluster: its own kube-apiserver (no controller-manager unless asked) with the APIServiceBinding CRD. */
export async function startConsumer(
  name: string,
  options: { controllerManager?: boolean } = {},
): Promise<KubeTestEnvironment> {
  const env = await KubeTestEnvironment.start({
    name,
    controllerManager: options.controllerManager ?? false,
  });
  await env.installCrds(kubeBindCrdFiles('consumer'));
  await env.client.create(NamespaceResource, { metadata: { name: 'kube-bind' } });
  return env;
}

/** Stores `kubeconfig` in `kube-bind/<secret>` and creates the binding `name` pointing at it. */
export async function bind(
  consumer: Client,
  name: string,
  secret: string,
  kubeconfig: string,
): Promise<void> {
  await consumer.create(SecretResource, {
    metadata: {
      name: secret,
      namespace: 'kube-bind',
      labels: { 'kube-bind.io/provider-kubeconfig': 'true' },
    },
    data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
  });
  await consumer.create(APIServiceBindingResource, {
    metadata: { name },
    spec: { kubeconfigSecretRef: { namespace: 'kube-bind', name: secret, key: 'kubeconfig' } },
  });
}

/** Waits until the binding's condition `type` matches `expected`, and returns it. */
export function waitForBindingCondition(
  consumer: Client,
  name: string,
  type: string,
  expected: Partial<KubeBindCondition>,
  timeoutMs = 120_000,
): Promise<KubeBindCondition> {
  let last: APIServiceBinding | undefined;
  return waitFor(
    async () => {
      last = await consumer.get(APIServiceBindingResource, name);
      const c = last.status?.conditions?.find((x) => x.type === type);
      return c && Object.entries(expected).every(([k, v]) => c[k as keyof KubeBindCondition] === v)
        ? c
        : undefined;
    },
    {
      what: `APIServiceBinding ${name} condition ${type} ${JSON.stringify(expected)}`,
      timeoutMs,
      describe: () => JSON.stringify(last?.status),
    },
  );
}

/** Waits for a Warning event with `reason` about the object `name`, and returns its message. */
export function waitForEvent(
  client: Client,
  name: string,
  reason: string,
  namespace?: string,
): Promise<string> {
  return waitFor(
    async () => {
      const events = await client.list(EventResource, namespace ? { namespace } : {});
      return events.items.find((e) => e.involvedObject?.name === name && e.reason === reason)?.message;
    },
    { what: `a ${reason} event about ${name}`, timeoutMs: 60_000 },
  );
}
