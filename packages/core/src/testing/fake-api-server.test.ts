import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, ConfigMapResource, NamespaceResource } from '../client/builtins.ts';
import { Client } from '../client/client.ts';
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  isUnauthorized,
} from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import { defineResource } from '../client/resource.ts';
import { PatchType } from '../client/rest-client.ts';
import { FakeApiServer } from './fake-api-server.ts';

interface Widget extends KubeObject {
  spec?: { size?: number; color?: string; tags?: string[] };
  status?: { ready?: boolean; observedGeneration?: number };
}

const WidgetResource = defineResource<Widget>({
  group: 'example.kubeloom.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** Runs `call` and returns the ApiError it rejects with. */
async function apiError(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with an ApiError');
}

function configMap(name: string, namespace = 'default', labels?: Record<string, string>): ConfigMap {
  return { metadata: { name, namespace, ...(labels ? { labels } : {}) }, data: { key: name } };
}

describe('FakeApiServer REST', () => {
  let server: FakeApiServer;
  let client: Client;

  beforeAll(async () => {
    server = await FakeApiServer.start({
      resources: [
        ConfigMapResource,
        NamespaceResource,
        { resource: WidgetResource, statusSubresource: true },
      ],
    });
    client = server.client();
  });

  afterAll(() => server.stop());

  beforeEach(async () => {
    await client.deleteCollection(ConfigMapResource, {});
    for (const ns of ['default', 'other']) await client.deleteCollection(WidgetResource, { namespace: ns });
  });

  it('creates, reads, updates and deletes through the real client', async () => {
    const created = await client.create(ConfigMapResource, configMap('crud'));
    expect(created.metadata).toMatchObject({ name: 'crud', namespace: 'default', generation: 1 });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);

    const read = await client.get(ConfigMapResource, 'crud', { namespace: 'default' });
    expect(read).toEqual(created);

    const updated = await client.update(ConfigMapResource, { ...read, data: { key: 'changed' } });
    expect(updated.data).toEqual({ key: 'changed' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    expect(server.getObject(ConfigMapResource, { namespace: 'default', name: 'crud' })?.data).toEqual({
      key: 'changed',
    });

    const answer = await client.delete(ConfigMapResource, 'crud', { namespace: 'default' });
    expect(answer).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'crud', kind: 'configmaps' },
    });
    const missing = await apiError(client.get(ConfigMapResource, 'crud', { namespace: 'default' }));
    expect(isNotFound(missing)).toBe(true);
    expect(missing.status).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "crud" not found',
      details: { name: 'crud', kind: 'configmaps' },
    });
  });

  it('answers 409 AlreadyExists, supports generateName, and rejects a missing name with 422', async () => {
    await client.create(ConfigMapResource, configMap('taken'));
    expect(isAlreadyExists(await apiError(client.create(ConfigMapResource, configMap('taken'))))).toBe(true);
    const generated = await client.create(ConfigMapResource, {
      metadata: { generateName: 'gen-', namespace: 'default' },
    });
    expect(generated.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    // Client.create refuses a nameless object itself, so the raw request shows what the server says.
    const nameless = client.rest.request({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { namespace: 'default' } },
    });
    expect(isInvalid(await apiError(nameless))).toBe(true);
  });

  it('keeps one global resourceVersion counter across resources', async () => {
    const a = await client.create(ConfigMapResource, configMap('rv-a'));
    const w = await client.create(WidgetResource, { metadata: { name: 'rv-w', namespace: 'default' } });
    expect(Number(w.metadata?.resourceVersion)).toBe(Number(a.metadata?.resourceVersion) + 1);
    expect(server.resourceVersion).toBe(w.metadata?.resourceVersion);
  });

  it('rejects an update with a stale resourceVersion (409 Conflict) and one of a missing object (404)', async () => {
    const created = await client.create(ConfigMapResource, configMap('occ'));
    await client.update(ConfigMapResource, { ...created, data: { key: 'first' } });
    const stale = await apiError(client.update(ConfigMapResource, { ...created, data: { key: 'second' } }));
    expect(isConflict(stale)).toBe(true);
    expect(stale.message).toContain('the object has been modified');
    // Without a resourceVersion the update is unconditional.
    const { resourceVersion: _rv, ...meta } = created.metadata ?? {};
    const forced = await client.update(ConfigMapResource, {
      ...created,
      metadata: meta,
      data: { key: 'third' },
    });
    expect(forced.data).toEqual({ key: 'third' });
    expect(isNotFound(await apiError(client.update(ConfigMapResource, configMap('never-created'))))).toBe(
      true,
    );
  });

  it('does not bump the resourceVersion for an update that changes nothing', async () => {
    const created = await client.create(ConfigMapResource, configMap('noop'));
    const again = await client.update(ConfigMapResource, created);
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('bumps generation on spec changes only, not on metadata or status changes', async () => {
    const created = await client.create(WidgetResource, {
      metadata: { name: 'gen', namespace: 'default' },
      spec: { size: 1 },
    });
    expect(created.metadata?.generation).toBe(1);
    const labelled = await client.patch(
      WidgetResource,
      'gen',
      { metadata: { labels: { a: 'b' } } },
      { namespace: 'default' },
    );
    expect(labelled.metadata?.generation).toBe(1);
    const status = await client.patch(
      WidgetResource,
      'gen',
      { status: { ready: true } },
      { namespace: 'default', subresource: 'status' },
    );
    expect(status.metadata?.generation).toBe(1);
    const resized = await client.patch(
      WidgetResource,
      'gen',
      { spec: { size: 2 } },
      { namespace: 'default' },
    );
    expect(resized.metadata?.generation).toBe(2);
  });

  it('pages a LIST with limit and continue, serving one consistent snapshot', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5'])
      await client.create(ConfigMapResource, configMap(name));
    const first = await client.listPage(ConfigMapResource, { namespace: 'default', limit: 2 });
    expect(first.items.map((i) => i.metadata?.name)).toEqual(['p1', 'p2']);
    expect(first.metadata.continue).toBeTruthy();
    // Changes after the first page do not show up in later pages of the same list.
    await client.create(ConfigMapResource, configMap('p6'));
    await client.delete(ConfigMapResource, 'p4', { namespace: 'default' });
    await client.patch(ConfigMapResource, 'p3', { data: { key: 'new' } }, { namespace: 'default' });
    const second = await client.listPage(ConfigMapResource, {
      namespace: 'default',
      limit: 2,
      continue: first.metadata.continue,
    });
    expect(second.items.map((i) => i.metadata?.name)).toEqual(['p3', 'p4']);
    expect(second.items[0]?.data).toEqual({ key: 'p3' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const third = await client.listPage(ConfigMapResource, {
      namespace: 'default',
      limit: 2,
      continue: second.metadata.continue,
    });
    expect(third.items.map((i) => i.metadata?.name)).toEqual(['p5']);
    expect(third.metadata.continue).toBeUndefined();

    const exact = await client.list(ConfigMapResource, {
      namespace: 'default',
      resourceVersion: first.metadata.resourceVersion ?? '',
      resourceVersionMatch: 'Exact',
    });
    expect(exact.items.map((i) => i.metadata?.name)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);

    const all = await client.list(ConfigMapResource, { namespace: 'default', limit: 2 });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['p1', 'p2', 'p3', 'p5', 'p6']);
    expect(all.metadata.resourceVersion).toBe(server.resourceVersion);
  });

  it('answers 410 Expired for a continue token older than the compaction point', async () => {
    for (const name of ['e1', 'e2', 'e3']) await client.create(ConfigMapResource, configMap(name));
    const first = await client.listPage(ConfigMapResource, { namespace: 'default', limit: 1 });
    await client.create(ConfigMapResource, configMap('e4'));
    server.faults.compact();
    const error = await apiError(
      client.listPage(ConfigMapResource, {
        namespace: 'default',
        limit: 1,
        continue: first.metadata.continue,
      }),
    );
    expect(error.code).toBe(410);
    expect(error.reason).toBe('Expired');
    expect(isGone(error)).toBe(true);
  });

  it('lists across namespaces and filters by label and field selectors', async () => {
    await client.create(ConfigMapResource, configMap('web', 'default', { app: 'shop', tier: 'web' }));
    await client.create(ConfigMapResource, configMap('db', 'default', { app: 'shop', tier: 'db' }));
    await client.create(
      ConfigMapResource,
      configMap('cache', 'other', { app: 'shop', tier: 'cache', legacy: 'y' }),
    );
    await client.create(ConfigMapResource, configMap('plain', 'other'));
    const names = async (options: { namespace?: string; labelSelector?: string; fieldSelector?: string }) =>
      (await client.list(ConfigMapResource, options)).items.map(
        (i) => `${i.metadata?.namespace}/${i.metadata?.name}`,
      );

    expect(await names({})).toEqual(['default/db', 'default/web', 'other/cache', 'other/plain']);
    expect(await names({ namespace: 'other' })).toEqual(['other/cache', 'other/plain']);
    expect(await names({ labelSelector: 'app=shop,tier!=db' })).toEqual(['default/web', 'other/cache']);
    expect(await names({ labelSelector: 'tier in (db,cache)' })).toEqual(['default/db', 'other/cache']);
    expect(await names({ labelSelector: 'tier notin (db,cache)' })).toEqual(['default/web', 'other/plain']);
    expect(await names({ labelSelector: 'app,!legacy' })).toEqual(['default/db', 'default/web']);
    expect(await names({ fieldSelector: 'metadata.name=web' })).toEqual(['default/web']);
    expect(await names({ fieldSelector: 'metadata.namespace!=default' })).toEqual([
      'other/cache',
      'other/plain',
    ]);
    const bad = await apiError(client.list(ConfigMapResource, { labelSelector: 'a in (' }));
    expect(bad.code).toBe(400);
  });

  it('applies merge patches, JSON patches, and resourceVersion preconditions in patches', async () => {
    await client.create(WidgetResource, {
      metadata: { name: 'patched', namespace: 'default', labels: { a: '1', b: '2' } },
      spec: { size: 1, tags: ['x'] },
    });
    const merged = await client.patch(
      WidgetResource,
      'patched',
      { metadata: { labels: { a: null, c: '3' } }, spec: { color: 'red' } },
      { namespace: 'default' },
    );
    expect(merged.metadata?.labels).toEqual({ b: '2', c: '3' });
    expect(merged.spec).toEqual({ size: 1, tags: ['x'], color: 'red' });

    const jsonPatched = await client.patch(
      WidgetResource,
      'patched',
      [
        { op: 'test', path: '/spec/size', value: 1 },
        { op: 'replace', path: '/spec/size', value: 5 },
        { op: 'add', path: '/spec/tags/-', value: 'y' },
        { op: 'remove', path: '/spec/color' },
      ],
      { namespace: 'default', type: PatchType.Json },
    );
    expect(jsonPatched.spec).toEqual({ size: 5, tags: ['x', 'y'] });

    const failedTest = await apiError(
      client.patch(WidgetResource, 'patched', [{ op: 'test', path: '/spec/size', value: 1 }], {
        namespace: 'default',
        type: PatchType.Json,
      }),
    );
    expect(failedTest.code).toBe(422);
    const stale = await apiError(
      client.patch(
        WidgetResource,
        'patched',
        { metadata: { resourceVersion: '1' }, spec: { size: 9 } },
        { namespace: 'default' },
      ),
    );
    expect(isConflict(stale)).toBe(true);
    expect(
      isNotFound(
        await apiError(client.patch(WidgetResource, 'nope', { spec: {} }, { namespace: 'default' })),
      ),
    ).toBe(true);
    const strategic = await apiError(
      client.patch(
        WidgetResource,
        'patched',
        { spec: {} },
        { namespace: 'default', type: PatchType.StrategicMerge },
      ),
    );
    expect(strategic.code).toBe(415);
  });

  it('server-side apply creates, then merges into the existing object, and requires a fieldManager', async () => {
    const first = await client.apply(
      WidgetResource,
      { metadata: { name: 'applied', namespace: 'default', labels: { owner: 'me' } }, spec: { size: 1 } },
      { fieldManager: 'test' },
    );
    expect(first.metadata?.generation).toBe(1);
    await client.patch(WidgetResource, 'applied', { spec: { color: 'blue' } }, { namespace: 'default' });
    const second = await client.apply(
      WidgetResource,
      { metadata: { name: 'applied', namespace: 'default' }, spec: { size: 2 } },
      { fieldManager: 'test', force: true },
    );
    expect(second.spec).toEqual({ size: 2, color: 'blue' });
    expect(second.metadata?.labels).toEqual({ owner: 'me' });
    expect(second.metadata?.uid).toBe(first.metadata?.uid);

    const noManager = await apiError(
      client.rest.request({
        method: 'PATCH',
        path: '/apis/example.kubeloom.dev/v1/namespaces/default/widgets/applied',
        body: { spec: { size: 3 } },
        contentType: PatchType.Apply,
      }),
    );
    expect(noManager.code).toBe(422);
  });

  it('separates status writes from main-resource writes when a status subresource is registered', async () => {
    const created = await client.create(WidgetResource, {
      metadata: { name: 'st', namespace: 'default' },
      spec: { size: 1 },
      status: { ready: true },
    });
    expect(created.status).toBeUndefined();

    const withStatus = await client.updateStatus(WidgetResource, {
      ...created,
      spec: { size: 100 },
      status: { ready: true, observedGeneration: 1 },
    });
    expect(withStatus.status).toEqual({ ready: true, observedGeneration: 1 });
    expect(withStatus.spec).toEqual({ size: 1 });

    const mainWrite = await client.update(WidgetResource, {
      ...withStatus,
      spec: { size: 2 },
      status: { ready: false },
    });
    expect(mainWrite.spec).toEqual({ size: 2 });
    expect(mainWrite.status).toEqual({ ready: true, observedGeneration: 1 });

    const viaStatusGet = await client.rest.request<Widget>({
      path: '/apis/example.kubeloom.dev/v1/namespaces/default/widgets/st/status',
    });
    expect(viaStatusGet.status?.ready).toBe(true);
    const statusPatch = await client.patch(
      WidgetResource,
      'st',
      { status: { ready: false } },
      { namespace: 'default', subresource: 'status' },
    );
    expect(statusPatch.status).toEqual({ ready: false, observedGeneration: 1 });

    // ConfigMaps have no status subresource here.
    const noStatus = await apiError(
      client.rest.request({ path: '/api/v1/namespaces/default/configmaps/x/status' }),
    );
    expect(noStatus.code).toBe(404);
  });

  it('keeps an object with finalizers until an update removes the last one', async () => {
    const created = await client.create(WidgetResource, {
      metadata: { name: 'fin', namespace: 'default', finalizers: ['example.com/cleanup'] },
      spec: { size: 1 },
    });
    const deleting = (await client.delete(WidgetResource, 'fin', { namespace: 'default' })) as Widget;
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    expect(deleting.metadata?.generation).toBe(2);
    const stillThere = await client.get(WidgetResource, 'fin', { namespace: 'default' });
    expect(stillThere.metadata?.deletionTimestamp).toBe(deleting.metadata?.deletionTimestamp);

    const addFinalizer = await apiError(
      client.update(WidgetResource, {
        ...stillThere,
        metadata: { ...stillThere.metadata, finalizers: ['example.com/cleanup', 'example.com/other'] },
      }),
    );
    expect(addFinalizer.code).toBe(422);

    await client.patch(WidgetResource, 'fin', { metadata: { finalizers: null } }, { namespace: 'default' });
    expect(isNotFound(await apiError(client.get(WidgetResource, 'fin', { namespace: 'default' })))).toBe(
      true,
    );
    expect(created.metadata?.uid).toBeTruthy();
  });

  it('checks delete preconditions (409 Conflict on uid or resourceVersion mismatch)', async () => {
    const created = await client.create(ConfigMapResource, configMap('pre'));
    const wrongUid = await apiError(
      client.delete(ConfigMapResource, 'pre', {
        namespace: 'default',
        preconditions: { uid: 'not-the-uid' },
      }),
    );
    expect(isConflict(wrongUid)).toBe(true);
    const wrongRv = await apiError(
      client.delete(ConfigMapResource, 'pre', {
        namespace: 'default',
        preconditions: { resourceVersion: '1' },
      }),
    );
    expect(isConflict(wrongRv)).toBe(true);
    await client.delete(ConfigMapResource, 'pre', {
      namespace: 'default',
      preconditions: {
        uid: created.metadata?.uid ?? '',
        resourceVersion: created.metadata?.resourceVersion ?? '',
      },
    });
    expect(server.getObject(ConfigMapResource, { namespace: 'default', name: 'pre' })).toBeUndefined();
  });

  it('deletes collections by selector', async () => {
    await client.create(ConfigMapResource, configMap('dc1', 'default', { group: 'x' }));
    await client.create(ConfigMapResource, configMap('dc2', 'default', { group: 'y' }));
    await client.create(ConfigMapResource, configMap('dc3', 'other', { group: 'x' }));
    await client.deleteCollection(ConfigMapResource, { namespace: 'default', labelSelector: 'group=x' });
    expect(server.objects(ConfigMapResource).map((o) => o.metadata?.name)).toEqual(['dc2', 'dc3']);
  });

  it('seeds objects directly and serves them', async () => {
    const [seeded] = server.seed(ConfigMapResource, [configMap('seeded')]);
    expect(seeded?.metadata?.uid).toBeTruthy();
    expect(seeded?.metadata?.resourceVersion).toBe(server.resourceVersion);
    const read = await client.get(ConfigMapResource, 'seeded', { namespace: 'default' });
    expect(read.metadata?.uid).toBe(seeded?.metadata?.uid);
    // Copies: changing what seed returned does not change the store.
    if (seeded?.data) seeded.data.key = 'mutated';
    expect(server.getObject(ConfigMapResource, { namespace: 'default', name: 'seeded' })?.data).toEqual({
      key: 'seeded',
    });
  });

  it('seeds into kcp clusters by annotation and applies emitted changes', async () => {
    server.seed(ConfigMapResource, [
      { metadata: { name: 'k', namespace: 'default', annotations: { 'kcp.io/cluster': 'root:seeded' } } },
    ]);
    const seeded = server.client({ cluster: 'root:seeded' });
    expect((await seeded.get(ConfigMapResource, 'k', { namespace: 'default' })).metadata?.name).toBe('k');
    expect(isNotFound(await apiError(client.get(ConfigMapResource, 'k', { namespace: 'default' })))).toBe(
      true,
    );
    const stored = server.getObject(ConfigMapResource, {
      cluster: 'root:seeded',
      namespace: 'default',
      name: 'k',
    });
    const rv = server.emit(ConfigMapResource, [{ type: 'DELETED', object: stored as ConfigMap }]);
    expect(rv).toBe(server.resourceVersion);
    expect(server.objects(ConfigMapResource, { cluster: 'root:seeded' })).toEqual([]);
  });

  it('validates but does not store dry-run writes', async () => {
    const before = server.resourceVersion;
    const dry = await client.create(ConfigMapResource, configMap('dry'), { dryRun: 'All' });
    expect(dry.metadata?.uid).toBeTruthy();
    expect(server.getObject(ConfigMapResource, { namespace: 'default', name: 'dry' })).toBeUndefined();
    expect(server.resourceVersion).toBe(before);
  });

  it('handles cluster-scoped resources and discovery', async () => {
    const ns = await client.create(NamespaceResource, { metadata: { name: 'team-a' } });
    expect(ns.metadata?.namespace).toBeUndefined();
    expect((await client.list(NamespaceResource)).items.map((n) => n.metadata?.name)).toContain('team-a');
    const groups = await client.rest.request<{ groups: Array<{ name: string }> }>({ path: '/apis' });
    expect(groups.groups.map((g) => g.name)).toEqual(['example.kubeloom.dev']);
    const resources = await client.rest.request<{ resources: Array<{ name: string }> }>({
      path: '/apis/example.kubeloom.dev/v1',
    });
    expect(resources.resources.map((r) => r.name)).toEqual(['widgets', 'widgets/status']);
    await client.delete(NamespaceResource, 'team-a');
  });

  it('answers 404 for unregistered resources and 405 for unsupported verbs', async () => {
    const unknown = await apiError(
      client.rest.request({ path: '/apis/apps/v1/namespaces/default/deployments' }),
    );
    expect(unknown.code).toBe(404);
    const putCollection = await apiError(
      client.rest.request({ method: 'PUT', path: '/api/v1/namespaces/default/configmaps', body: {} }),
    );
    expect(putCollection.code).toBe(405);
    expect(putCollection.reason).toBe('MethodNotAllowed');
  });

  it('answers 401 to requests without the token', async () => {
    const anonymous = Client.fromKubeConfig({ text: server.kubeconfig({ token: '' }) });
    const wrong = server.client({ token: 'wrong' });
    try {
      server.clearRequests();
      const error = await apiError(anonymous.get(ConfigMapResource, 'x', { namespace: 'default' }));
      expect(isUnauthorized(error)).toBe(true);
      expect(isUnauthorized(await apiError(wrong.list(ConfigMapResource)))).toBe(true);
      expect(server.requests.every((r) => r.status === 401)).toBe(true);
    } finally {
      await anonymous.rest.pool.close();
    }
  });

  it('injects failures; RestClient retries a 429 after Retry-After', { timeout: 20_000 }, async () => {
    await client.create(ConfigMapResource, configMap('busy'));
    server.clearRequests();
    server.faults.failNext({
      status: 429,
      retryAfterSeconds: 1,
      match: { method: 'GET', path: '/configmaps/busy' },
    });
    const read = await client.get(ConfigMapResource, 'busy', { namespace: 'default' });
    expect(read.metadata?.name).toBe('busy');
    const attempts = server.requests.filter((r) => r.path.endsWith('/configmaps/busy'));
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    const gap = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    // Not before the Retry-After second: that is the point. The upper bound only says the client does not
    // add a long backoff of its own; it is loose because a loaded machine delays the retry's timer.
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(5000);

    // Non-retryable for POST: a 503 reaches the caller, with the Status body and reason.
    server.faults.failNext({ status: 503, count: 2, match: { method: 'POST', path: /\/configmaps$/ } });
    const unavailable = await apiError(client.create(ConfigMapResource, configMap('later')));
    expect(unavailable.code).toBe(503);
    expect(unavailable.reason).toBe('ServiceUnavailable');
    expect(server.faults.pendingFailures).toBe(1);
    server.faults.reset();
    expect(server.faults.pendingFailures).toBe(0);
    await client.create(ConfigMapResource, configMap('later'));
  });

  it('scopes reads and writes to kcp logical clusters and lists across them with /clusters/*', async () => {
    const alpha = server.client({ cluster: 'root:alpha' });
    const beta = server.client({ cluster: 'root:beta' });
    const all = server.client({ cluster: '*' });
    const a = await alpha.create(ConfigMapResource, configMap('same-name'));
    expect(a.metadata?.annotations).toEqual({ 'kcp.io/cluster': 'root:alpha' });
    await beta.create(ConfigMapResource, configMap('same-name'));
    await client.create(ConfigMapResource, configMap('same-name'));

    expect((await alpha.get(ConfigMapResource, 'same-name', { namespace: 'default' })).metadata?.uid).toBe(
      a.metadata?.uid,
    );
    expect((await alpha.list(ConfigMapResource)).items).toHaveLength(1);
    const plain = await client.get(ConfigMapResource, 'same-name', { namespace: 'default' });
    expect(plain.metadata?.annotations).toBeUndefined();

    const everywhere = await all.list(ConfigMapResource, { fieldSelector: 'metadata.name=same-name' });
    expect(everywhere.items.map((i) => i.metadata?.annotations?.['kcp.io/cluster'] ?? '')).toEqual([
      'root:alpha',
      'root:beta',
      '',
    ]);
    const allWrite = await apiError(all.create(ConfigMapResource, configMap('nope')));
    expect(allWrite.code).toBe(405);
    const allGet = await apiError(all.get(ConfigMapResource, 'same-name', { namespace: 'default' }));
    expect(allGet.code).toBe(405);

    await beta.delete(ConfigMapResource, 'same-name', { namespace: 'default' });
    expect(
      server.getObject(ConfigMapResource, { cluster: 'root:beta', namespace: 'default', name: 'same-name' }),
    ).toBeUndefined();
    expect(
      server.getObject(ConfigMapResource, { cluster: 'root:alpha', namespace: 'default', name: 'same-name' }),
    ).toBeDefined();
    expect(server.objects(ConfigMapResource, { cluster: 'root:alpha' })).toHaveLength(1);
    await alpha.deleteCollection(ConfigMapResource, { namespace: 'default' });
  });
});
