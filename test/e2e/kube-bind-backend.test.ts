/**
 * The kube-bind backend in kcp end to end: a service workspace exports Widgets (an APIExport with its
 * APIResourceSchema, as the syncagent publishes them), the backend workspace binds it, and the backend's
 * controllers and HTTP service (OIDC login with PKCE against a real identity provider) hand a consumer
 * cluster a kubeconfig scoped to its own namespace. `bindExport` (what `kubeloom bind` runs) binds a real
 * kube-apiserver; its konnector syncs Widgets into the backend workspace with those credentials.
 */
import { randomBytes } from 'node:crypto';
import {
  ApiError,
  type Client,
  CustomResourceDefinitionResource,
  NamespaceResource,
  SecretResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import { installCrds } from '@kubeloom/core/testing';
import { APIBindingResource, type APIResourceSchema, type KcpWorkspace } from '@kubeloom/kcp-provider';
import {
  APIServiceBindingResource,
  APIServiceExportRequestResource,
  APIServiceExportResource,
  APIServiceNamespaceResource,
  BoundSchemaResource,
  ClusterBindingResource,
  Konnector,
  kubeBindCrdFiles,
  BackendCallError,
  bindExport,
} from '@kubeloom/kube-bind';
import {
  ClusterRoleBindingResource,
  ClusterRoleResource,
  RoleBindingResource,
  exportRoleName,
  revokeKonnectorCredentials,
  setUpConsumerNamespace,
} from '@kubeloom/kube-bind/backend';
import { bindCommand } from '@kubeloom/kube-bind/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import {
  GROUP,
  WidgetResource,
  startConsumer,
  waitForBindingCondition,
  waitForEvent,
} from './kube-bind-fixtures.ts';
import { type RunningBackend, kcpCaData, startBackend } from './kube-bind-backend-fixture.ts';
import { type TestOidcProvider, browserLogin, startOidcProvider } from './kube-bind-oidc.ts';

const SLOW_MS = 120_000;

/** The names in a list answer. */
const names = (list: { items: Array<{ metadata?: { name?: string } }> }) =>
  list.items.map((w) => w.metadata?.name);

const widgetSchema: APIResourceSchema = {
  metadata: { name: `v1.widgets.${GROUP}` },
  spec: {
    group: GROUP,
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', properties: { size: { type: 'integer' } } },
            status: { type: 'object', properties: { phase: { type: 'string' } } },
          },
        },
      },
    ],
  },
};

describe('kube-bind backend in kcp', { timeout: 300_000 }, () => {
  let backendWs: KcpWorkspace;
  let backendClient: Client;
  let backend: RunningBackend;
  let oidc: TestOidcProvider;
  let consumer: KubeTestEnvironment;
  let konnector: { konnector: Konnector; stop(): Promise<void> };
  let providerServer: string;
  let caData: string | undefined;
  let port: number;
  const user = `user-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const kcp = await sharedKcp();
    const [serviceWs, bWs, env] = await Promise.all([
      kcp.createWorkspace({ generateName: 'kb-service-', timeoutMs: 240_000 }),
      kcp.createWorkspace({ generateName: 'kb-backend-', timeoutMs: 240_000 }),
      startConsumer('kb-backend-consumer'),
    ]);
    backendWs = bWs;
    consumer = env;
    await kcp.createApiExport({
      workspace: serviceWs.path,
      name: 'widgets',
      schemas: [widgetSchema],
      timeoutMs: SLOW_MS,
    });
    await kcp.bindApiExport({
      workspace: backendWs.path,
      exportPath: serviceWs.path,
      exportName: 'widgets',
      timeoutMs: SLOW_MS,
    });
    backendClient = kcp.clientFor(backendWs.path);
    // The provider offers this binding to consumers' clusters.
    await backendClient.patch(APIBindingResource, 'widgets', {
      metadata: { labels: { 'kube-bind.io/exported': 'true' } },
    });
    await installCrds(backendClient, kubeBindCrdFiles('provider'), { timeoutMs: SLOW_MS });
    providerServer = `${kcp.baseUrl}/clusters/${backendWs.path}`;
    caData = kcpCaData(kcp.kubeconfigPath);
    oidc = await startOidcProvider();
    backend = await startBackend(backendClient, providerServer, caData, oidc);
    port = Number(new URL(backend.server.url).port);
    oidc.register(`${backend.server.url}/api/callback`);
    const lifetime = new AbortController();
    const k = new Konnector({ consumer: consumer.client, heartbeatIntervalMs: 4_000, resyncMs: 2_000 });
    const done = k.start(lifetime.signal);
    konnector = {
      konnector: k,
      stop: async () => {
        lifetime.abort();
        await done;
      },
    };
    await consumer.client.create(NamespaceResource, { metadata: { name: 'shop' } });
  }, 600_000);

  afterAll(async () => {
    await konnector?.stop();
    await backend?.stop();
    await oidc?.stop();
    await consumer?.stop();
  });

  /** The cluster namespace of a second consumer, set up by the scoping case. */
  let otherNamespace = '';
  /** The cluster namespace of this file's consumer cluster (the one ClusterBinding that is not the other's). */
  const consumerNamespace = async (): Promise<string> =>
    (await backendClient.list(ClusterBindingResource)).items
      .map((b) => b.metadata.namespace ?? '')
      .find((n) => n !== otherNamespace) ?? '';

  const lines: string[] = [];
  const bind = (exportName?: string) =>
    bindExport({
      backendUrl: backend.server.url,
      consumer: consumer.client,
      ...(exportName ? { exportName } : {}),
      openLoginPage: (url) => browserLogin(url, user),
      log: (line) => lines.push(line),
      requestTimeoutMs: SLOW_MS,
    });

  it('binds through an OIDC login: the backend creates the export and schemas, and the konnector syncs with a kubeconfig scoped to the consumer', async () => {
    const bound = await bind();
    expect(bound.bindingName).toBe('widgets');
    expect(bound.secret.namespace).toBe('kube-bind');
    expect(lines[0]).toBe(`Logging in to Widget Corp at ${backend.server.url} ...`);
    expect(lines).toContain(`Stored the provider kubeconfig in Secret kube-bind/${bound.secret.name}.`);
    expect(lines.at(-1)).toBe(
      'Created APIServiceBinding widgets; the konnector now installs its CRDs (kubectl get apiservicebinding widgets).',
    );
    const ns = bound.providerNamespace;
    const exported = await backendClient.get(APIServiceExportResource, 'widgets', { namespace: ns });
    expect(exported.spec.resources).toEqual([{ group: GROUP, resource: 'widgets', versions: ['v1'] }]);
    const schema = await backendClient.get(BoundSchemaResource, `widgets.${GROUP}`, { namespace: ns });
    expect(schema.spec.versions[0]?.schema).toEqual(widgetSchema.spec.versions[0]?.schema);
    expect(schema.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'APIServiceExport',
      name: 'widgets',
      uid: exported.metadata.uid,
    });

    await waitForBindingCondition(consumer.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    await consumer.client.create(WidgetResource, {
      metadata: { name: 'w1', namespace: 'shop' },
      spec: { size: 2 },
    });
    const copy = await waitFor(
      () =>
        backendClient
          .get(WidgetResource, 'w1', { namespace: `${ns}-shop` })
          .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      { what: 'the copy in the backend workspace', timeoutMs: SLOW_MS },
    );
    expect(copy.spec).toEqual({ size: 2 });
    await backendClient.patch(
      WidgetResource,
      'w1',
      { status: { phase: 'Ready' } },
      { namespace: `${ns}-shop`, subresource: 'status' },
    );
    await waitFor(
      async () =>
        (await consumer.client.get(WidgetResource, 'w1', { namespace: 'shop' })).status?.phase === 'Ready',
      {
        what: 'status back on the consumer',
        timeoutMs: SLOW_MS,
      },
    );
    const health = await waitFor(
      async () => {
        const cb = await backendClient.get(ClusterBindingResource, 'cluster', { namespace: ns });
        return cb.status?.conditions?.find((c) => c.type === 'Healthy' && c.status === 'True');
      },
      { what: 'the ClusterBinding to be Healthy', timeoutMs: SLOW_MS },
    );
    expect(health.status).toBe('True');
    // The konnector's credentials reach nothing outside its own namespaces and resources.
    const secret = await consumer.client.get(SecretResource, bound.secret.name, { namespace: 'kube-bind' });
    const { Client } = await import('@kubeloom/core');
    const scoped = Client.fromKubeConfig({
      text: Buffer.from(secret.data?.kubeconfig ?? '', 'base64').toString('utf8'),
    });
    await expect(scoped.list(NamespaceResource)).rejects.toThrow(/403 Forbidden/);
    await expect(scoped.list(SecretResource, { namespace: 'default' })).rejects.toThrow(/403 Forbidden/);
    await scoped.rest.pool.close();
  });

  it("scopes each konnector credential to its own provider namespaces: it cannot read other consumers' objects", async () => {
    const ns = await consumerNamespace();
    // A second consumer of the same export, set up the way a bind sets it up.
    const other = await setUpConsumerNamespace(
      backendClient,
      { issuer: oidc.issuer, subject: 'other-user', cluster: 'other-cluster', author: 'other-user' },
      {
        providerPrettyName: 'Widget Corp',
        externalServer: providerServer,
        ...(caData ? { certificateAuthorityData: caData } : {}),
        tokenLifetimeSeconds: 3600,
      },
    );
    otherNamespace = other.clusterNamespace;
    await backendClient.create(APIServiceExportRequestResource, {
      metadata: { name: 'widgets', namespace: otherNamespace },
      spec: { resources: [{ group: GROUP, resource: 'widgets', versions: ['v1'] }] },
    });
    await backendClient.create(APIServiceNamespaceResource, {
      metadata: { name: 'shop', namespace: otherNamespace },
      spec: {},
    });
    const theirNs = `${otherNamespace}-shop`;
    await waitFor(
      async () =>
        (await backendClient.get(APIServiceNamespaceResource, 'shop', { namespace: otherNamespace })).status
          ?.namespace === theirNs,
      { what: `the other consumer's provider namespace ${theirNs}`, timeoutMs: SLOW_MS },
    );
    const exported = await waitFor(
      () =>
        backendClient
          .get(APIServiceExportResource, 'widgets', { namespace: otherNamespace })
          .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      { what: 'the export of the other consumer', timeoutMs: SLOW_MS },
    );
    // Widgets are namespaced: the export is watched per namespace, and granted per namespace only.
    expect(exported.spec.informerScope).toBe('Namespaced');
    await expect(
      backendClient.get(ClusterRoleBindingResource, exportRoleName('resources', otherNamespace, 'widgets')),
    ).rejects.toThrow(/404/);
    await backendClient.create(WidgetResource, {
      metadata: { name: 'theirs', namespace: theirNs },
      spec: { size: 9 },
    });

    const { Client } = await import('@kubeloom/core');
    const bound = (await consumer.client.get(APIServiceBindingResource, 'widgets')).spec.kubeconfigSecretRef;
    const secret = await consumer.client.get(SecretResource, bound.name, { namespace: bound.namespace });
    const mine = Client.fromKubeConfig({
      text: Buffer.from(secret.data?.kubeconfig ?? '', 'base64').toString('utf8'),
    });
    const theirs = Client.fromKubeConfig({ text: other.kubeconfig });
    try {
      expect(names(await mine.list(WidgetResource, { namespace: `${ns}-shop` }))).toContain('w1');
      await expect(mine.list(WidgetResource)).rejects.toThrow(/403 Forbidden/);
      await expect(mine.list(WidgetResource, { namespace: theirNs })).rejects.toThrow(/403 Forbidden/);
      await expect(mine.get(WidgetResource, 'theirs', { namespace: theirNs })).rejects.toThrow(
        /403 Forbidden/,
      );
      const own = await waitFor(
        () => theirs.list(WidgetResource, { namespace: theirNs }).catch(() => undefined),
        { what: 'the other consumer to read its own namespace', timeoutMs: SLOW_MS },
      );
      expect(names(own)).toEqual(['theirs']);
      await expect(theirs.list(WidgetResource, { namespace: `${ns}-shop` })).rejects.toThrow(/403 Forbidden/);
      await expect(theirs.list(WidgetResource)).rejects.toThrow(/403 Forbidden/);

      // An export with a permission claim on Secrets grants them in the consumer's namespaces only, too.
      await expect(theirs.list(SecretResource, { namespace: theirNs })).rejects.toThrow(/403 Forbidden/);
      await backendClient.create(APIServiceExportRequestResource, {
        metadata: { name: 'claimed', namespace: otherNamespace },
        spec: {
          resources: [{ group: GROUP, resource: 'widgets', versions: ['v1'] }],
          permissionClaims: [
            {
              group: '',
              resource: 'secrets',
              selector: { labelSelector: { matchLabels: { share: 'yes' } } },
            },
          ],
        },
      });
      await waitFor(
        () =>
          theirs.list(SecretResource, { namespace: theirNs }).then(
            () => true,
            () => false,
          ),
        {
          what: "the claimed Secrets to be granted in the other consumer's namespace",
          timeoutMs: SLOW_MS,
        },
      );
      await expect(theirs.list(SecretResource, { namespace: `${ns}-shop` })).rejects.toThrow(/403 Forbidden/);
      await expect(theirs.list(SecretResource)).rejects.toThrow(/403 Forbidden/);
      await expect(
        backendClient.get(RoleBindingResource, 'kube-binder-claims-claimed', { namespace: theirNs }),
      ).resolves.toMatchObject({ roleRef: { name: exportRoleName('claims', otherNamespace, 'claimed') } });
    } finally {
      await mine.rest.pool.close();
      await theirs.rest.pool.close();
    }
  });

  it('reports a provider namespace its credential may not watch, deletes nothing, and syncs there once granted', async () => {
    const ns = await consumerNamespace();
    const role = exportRoleName('resources', ns, 'widgets');
    const saved = await backendClient.get(ClusterRoleResource, role);
    // The grant for the export's resources is gone (say, an operator removed it by mistake).
    await backendClient.delete(ClusterRoleResource, role);
    await consumer.client.create(NamespaceResource, { metadata: { name: 'blog' } });
    await consumer.client.create(WidgetResource, {
      metadata: { name: 'post', namespace: 'blog' },
      spec: { size: 1 },
    });
    const unwatched = await waitForBindingCondition(
      consumer.client,
      'widgets',
      'ProviderNamespacesWatched',
      { status: 'False', reason: 'ProviderNamespaceForbidden' },
      SLOW_MS,
    );
    expect(unwatched.message).toMatch(
      new RegExp(
        `^cannot watch provider namespace ${ns}-blog \\(consumer namespace blog\\): .*403.*\\. The backend grants the konnector each namespace when it assigns it; until then objects there are not synced, and nothing is deleted$`,
      ),
    );
    expect(await waitForEvent(consumer.client, 'widgets', 'ProviderNamespaceForbidden')).toBe(
      unwatched.message,
    );
    expect(await consumer.client.get(WidgetResource, 'post', { namespace: 'blog' })).toBeDefined();
    expect(await backendClient.get(WidgetResource, 'w1', { namespace: `${ns}-shop` })).toBeDefined();

    await backendClient.create(ClusterRoleResource, { metadata: { name: role }, rules: saved.rules ?? [] });
    await waitForBindingCondition(
      consumer.client,
      'widgets',
      'ProviderNamespacesWatched',
      { status: 'True' },
      SLOW_MS,
    );
    const copy = await waitFor(
      () =>
        backendClient
          .get(WidgetResource, 'post', { namespace: `${ns}-blog` })
          .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      { what: 'the copy in the newly granted namespace', timeoutMs: SLOW_MS },
    );
    expect(copy.spec).toEqual({ size: 1 });
  });

  it('kubeloom bind binds again through the command, reusing the Secret of the same provider namespace', async () => {
    const before = await consumer.client.list(SecretResource, { namespace: 'kube-bind' });
    const out: string[] = [];
    const err: string[] = [];
    let login: Promise<void> | undefined;
    const code = await bindCommand(
      [backend.server.url, 'widgets', '--kubeconfig', consumer.kubeconfigPath, '--no-browser'],
      {
        out: (line) => {
          out.push(line);
          const url = line.startsWith('Open this URL to log in: ')
            ? line.slice('Open this URL to log in: '.length)
            : undefined;
          if (url) login = browserLogin(url, user);
        },
        err: (line) => err.push(line),
      },
    );
    await login;
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const secret = before.items[0]?.metadata?.name ?? '';
    const ns = await consumerNamespace();
    expect(out.filter((l) => !l.startsWith('Open this URL'))).toEqual([
      `Logging in to Widget Corp at ${backend.server.url} ...`,
      `Stored the provider kubeconfig in Secret kube-bind/${secret}.`,
      `Created APIServiceExportRequest ${ns}/widgets; waiting for the provider to accept it ...`,
      'Created APIServiceBinding widgets; the konnector now installs its CRDs (kubectl get apiservicebinding widgets).',
      'Bound widgets. Run the konnector for this cluster if it is not running: kubeloom bind konnector',
    ]);
    expect(out[1]).toMatch(
      new RegExp(`^Open this URL to log in: ${backend.server.url}/api/authorize\\?redirect_url=`),
    );
    expect((await consumer.client.list(SecretResource, { namespace: 'kube-bind' })).items).toHaveLength(
      before.items.length,
    );
    await waitForBindingCondition(consumer.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('says what to do when the backend is down, the export is unknown, the token is missing, or the request is refused', async () => {
    await expect(
      bindExport({ backendUrl: 'http://127.0.0.1:1', consumer: consumer.client, openLoginPage: () => {} }),
    ).rejects.toThrow(
      /^cannot reach the kube-bind backend at http:\/\/127\.0\.0\.1:1 \(.+\); check the URL and that the backend is running$/,
    );
    await expect(bind('gadgets')).rejects.toThrow(
      new BackendCallError('Widget Corp offers no export named gadgets; it offers: widgets'),
    );
    const authorize = await fetch(`${backend.server.url}/api/authorize`);
    expect(authorize.status).toBe(400);
    expect(await authorize.json()).toEqual({
      code: 'BAD_REQUEST',
      message: '/api/authorize needs the query parameters redirect_url and session_id',
    });
    const unauthenticated = await fetch(`${backend.server.url}/api/bind`, { method: 'POST', body: '{}' });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toEqual({
      code: 'AUTHENTICATION_FAILED',
      message: 'no valid access token: log in again (kubeloom bind does this)',
    });

    // A request for a resource the backend does not offer fails with the offered ones named.
    const ns = await consumerNamespace();
    await backendClient.create(APIServiceExportRequestResource, {
      metadata: { name: 'gadgets', namespace: ns },
      spec: { resources: [{ group: GROUP, resource: 'gadgets' }] },
    });
    const failed = await waitFor(
      async () => {
        const r = await backendClient.get(APIServiceExportRequestResource, 'gadgets', { namespace: ns });
        return r.status?.phase === 'Failed' ? r : undefined;
      },
      { what: 'the request to fail', timeoutMs: SLOW_MS },
    );
    expect(failed.status?.terminalMessage).toBe(
      `the provider offers no resource gadgets.${GROUP}; it offers: widgets.${GROUP}`,
    );
  });

  it('reports revoked credentials on the binding without deleting anything, and a new bind recovers', async () => {
    const ns = await consumerNamespace();
    await waitForBindingCondition(consumer.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    const bound = (await consumer.client.get(APIServiceBindingResource, 'widgets')).spec.kubeconfigSecretRef;
    const held = await consumer.client.get(SecretResource, bound.name, { namespace: bound.namespace });
    const kubeconfig = Buffer.from(held.data?.kubeconfig ?? '', 'base64').toString('utf8');
    await revokeKonnectorCredentials(backendClient, ns);
    // kcp refuses the tokens once its 10 s authentication cache expires and its informers have seen the
    // deletions: wait for that first, so the binding's reaction is timed from a known point.
    const { Client } = await import('@kubeloom/core');
    const revokedClient = Client.fromKubeConfig({ text: kubeconfig });
    const started = Date.now();
    await waitFor(
      () =>
        revokedClient.get(ClusterBindingResource, 'cluster', { namespace: ns }).then(
          () => false,
          (e: unknown) => e instanceof ApiError && e.code === 401,
        ),
      { what: 'kcp to refuse the revoked konnector token', timeoutMs: 150_000 },
    );
    process.stderr.write(`[kube-bind backend] revoked token refused after ${Date.now() - started} ms\n`);
    await revokedClient.rest.pool.close();
    // The konnector reads its export every resync (2 s here) and reports the refusal.
    const revoked = await waitForBindingCondition(
      consumer.client,
      'widgets',
      'Connected',
      { status: 'False', reason: 'ProviderUnauthorized' },
      30_000,
    );
    expect(revoked.message).toMatch(
      /^the provider at .* rejected the kubeconfig in Secret kube-bind\/kubeconfig-[0-9a-f]{6} \(401 Unauthorized\): it expired or was revoked\. Bind again \(kubeloom bind\)/,
    );
    expect(await consumer.client.get(CustomResourceDefinitionResource, `widgets.${GROUP}`)).toBeDefined();
    expect(await consumer.client.get(WidgetResource, 'w1', { namespace: 'shop' })).toBeDefined();
    expect(await backendClient.get(WidgetResource, 'w1', { namespace: `${ns}-shop` })).toBeDefined();
    await bind('widgets');
    await waitForBindingCondition(consumer.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
  });

  it('converges after a backend restart, and marks a konnector that stopped beating as unhealthy', async () => {
    // Binding again first makes this case independent of the state the cases before it leave.
    await bind('widgets');
    await waitForBindingCondition(consumer.client, 'widgets', 'Ready', { status: 'True' }, SLOW_MS);
    await backend.stop();
    backend = await startBackend(backendClient, providerServer, caData, oidc, port);
    const ns = await consumerNamespace();
    await consumer.client.create(WidgetResource, {
      metadata: { name: 'after-restart', namespace: 'shop' },
      spec: { size: 1 },
    });
    await waitFor(
      () =>
        backendClient
          .get(WidgetResource, 'after-restart', { namespace: `${ns}-shop` })
          .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      { what: 'a copy after the backend restart', timeoutMs: SLOW_MS },
    );
    expect(
      (await backendClient.list(APIServiceExportResource, { namespace: ns })).items.map(
        (e) => e.metadata.name,
      ),
    ).toEqual(['widgets']);
    expect((await backendClient.list(BoundSchemaResource, { namespace: ns })).items).toHaveLength(1);

    await konnector.stop();
    const unhealthy = await waitFor(
      async () => {
        const cb = await backendClient.get(ClusterBindingResource, 'cluster', { namespace: ns });
        return cb.status?.conditions?.find((c) => c.type === 'Healthy' && c.reason === 'HeartbeatTimeout');
      },
      { what: 'the ClusterBinding to report HeartbeatTimeout', timeoutMs: SLOW_MS },
    );
    expect(unhealthy.message).toMatch(
      /^no heartbeat since \S+ \(expected every 4s\): the konnector is down or cannot reach the provider$/,
    );
  });
});
