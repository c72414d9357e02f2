import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiError,
  ConfigMapResource,
  ManifestApplyError,
  NamespaceResource,
  applyManifests,
  defineResource,
  loadManifests,
  manifestOrigin,
  waitFor,
} from '@kubeloom/core';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-e2e-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Defined by the CRD in the manifest file; applied in the same call as the CRD. */
const WidgetResource = defineResource<{
  metadata?: { name?: string; namespace?: string };
  spec?: { size?: number };
}>({
  group: 'manifests.e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

const crd = `# A CRD and an object of it in the same file: the object's kind is not served until the CRD is.
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.manifests.e2e.kubeloom.dev
spec:
  group: manifests.e2e.kubeloom.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
`;

const app = `---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# comment-only document, skipped
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: settings, namespace: shop }
    data: { color: blue }
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: defaults }
    data: { size: "3" }
---
apiVersion: manifests.e2e.kubeloom.dev/v1
kind: Widget
metadata:
  name: first
  namespace: shop
spec:
  size: 3
`;

describe('manifests: loading YAML files and applying them to a kcp workspace', () => {
  it('applies a CRD, a namespace, a List of ConfigMaps and a custom resource, in file order', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const workspace = await kcp.createWorkspace({ generateName: 'e2e-manifests-' });
    const client = kcp.clientFor(workspace.path);
    const crdFile = join(dir, 'crd.yaml');
    const appFile = join(dir, 'app.yaml');
    writeFileSync(crdFile, crd);
    writeFileSync(appFile, app);

    const manifests = await loadManifests([crdFile, appFile]);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'CustomResourceDefinition/widgets.manifests.e2e.kubeloom.dev',
      'Namespace/shop',
      'ConfigMap/settings',
      'ConfigMap/defaults',
      'Widget/first',
    ]);
    expect(manifestOrigin(manifests[4] ?? {})).toEqual({ source: appFile, document: 4, line: 21 });

    const applied = await applyManifests(client, manifests, {
      fieldManager: 'e2e-manifests',
      namespace: 'shop',
    });
    expect(applied.map((o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)).toEqual([
      'CustomResourceDefinition /widgets.manifests.e2e.kubeloom.dev',
      'Namespace /shop',
      'ConfigMap shop/settings',
      'ConfigMap shop/defaults',
      'Widget shop/first',
    ]);

    const settings = await client.get(ConfigMapResource, 'settings', { namespace: 'shop' });
    expect(settings.data).toEqual({ color: 'blue' });
    expect(settings.metadata?.managedFields).toEqual([
      expect.objectContaining({ manager: 'e2e-manifests', operation: 'Apply' }),
    ]);
    expect((await client.get(ConfigMapResource, 'defaults', { namespace: 'shop' })).data).toEqual({
      size: '3',
    });
    expect((await client.get(WidgetResource, 'first', { namespace: 'shop' })).spec).toEqual({ size: 3 });
    expect((await client.get(NamespaceResource, 'shop')).metadata?.name).toBe('shop');
  });

  it('refuses to take over fields another manager owns unless forced', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const workspace = await kcp.createWorkspace({ generateName: 'e2e-manifests-' });
    const client = kcp.clientFor(workspace.path);
    const file = join(dir, `owned-${workspace.name}.yaml`);
    const write = (color: string): void =>
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Namespace\nmetadata: {name: owners}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: owners}\ndata: {color: ${color}}\n`,
      );
    write('blue');
    await applyManifests(client, await loadManifests(file), { fieldManager: 'installer-a' });
    // Another manager claims the same field.
    write('red');
    const conflict = await applyManifests(client, await loadManifests(file), {
      fieldManager: 'installer-b',
    }).then(
      () => new Error('expected a conflict'),
      (e: unknown) => e,
    );
    expect(conflict).toBeInstanceOf(ManifestApplyError);
    const cause = (conflict as ManifestApplyError).cause;
    expect(cause).toBeInstanceOf(ApiError);
    expect((cause as ApiError).code).toBe(409);
    const prefix = `applyManifests: ConfigMap owners/owned (from ${file}, document 2 (line 5)) failed after 1 applied: PATCH ${client.rest.server}/api/v1/namespaces/owners/configmaps/owned?fieldManager=installer-b&force=false: 409 Conflict: `;
    const message = (conflict as Error).message;
    expect(message.slice(0, prefix.length)).toBe(prefix);
    expect(message.slice(prefix.length)).toContain('conflict with "installer-a"');
    await applyManifests(client, await loadManifests(file), { fieldManager: 'installer-b', force: true });
    const owned = await waitFor(
      async () => {
        const cm = await client.get(ConfigMapResource, 'owned', { namespace: 'owners' });
        return cm.data?.color === 'red' ? cm : undefined;
      },
      { what: 'the forced apply to be visible', timeoutMs: 30_000 },
    );
    expect(owned.data).toEqual({ color: 'red' });
  });
});
