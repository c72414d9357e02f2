import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMapResource, NamespaceResource } from '../client/builtins.ts';
import { NoMatchError } from '../client/rest-mapper.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { applyManifests } from './apply-manifests.ts';
import { ManifestApplyError } from './manifest-error.ts';
import { parseManifests } from './parse-manifests.ts';

// How applying reports what a real server cannot be made to do on demand; applying itself is tested
// end to end against kcp in test/e2e/manifests.test.ts.
describe('applyManifests', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, NamespaceResource] });
  });
  afterAll(() => server.stop());

  it('applies in order, defaulting the namespace of namespaced manifests', async () => {
    const manifests = await parseManifests(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: ignored}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "1"}\n',
    );
    server.clearRequests();
    const applied = await applyManifests(server.client(), manifests, {
      namespace: 'shop',
      fieldManager: 'unit',
    });
    expect(applied.map((o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)).toEqual([
      'Namespace /shop',
      'ConfigMap shop/plain',
    ]);
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.path, r.query.fieldManager, r.query.force])).toEqual([
      ['/api/v1/namespaces/shop', 'unit', 'false'],
      ['/api/v1/namespaces/shop/configmaps/plain', 'unit', 'false'],
    ]);
  });

  it('fails at once on a kind the server does not serve, naming the manifest, its origin and what was applied', async () => {
    const manifests = await parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first, namespace: default}\n---\napiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: g, namespace: default}\n',
      { source: 'gadgets.yaml' },
    );
    const started = Date.now();
    const err = await applyManifests(server.client(), manifests).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(ManifestApplyError);
    expect((err as ManifestApplyError).cause).toBeInstanceOf(NoMatchError);
    expect((err as ManifestApplyError).applied.map((o) => o.metadata?.name)).toEqual(['first']);
    expect((err as Error).message).toBe(
      `applyManifests: Gadget default/g (from gadgets.yaml, document 2 (line 5)) failed after 1 applied: ${server.url} serves no kind Gadget in example.io/v1; install its CRD (or, in kcp, bind the APIExport that provides it) and try again`,
    );
  });
});
