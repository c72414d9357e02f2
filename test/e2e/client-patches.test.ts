import { V1ConfigMap, V1Lease, V1LeaseSpec, V1ObjectMeta } from '@kubernetes/client-node';
import {
  type ApplyConfiguration,
  ConfigMapResource,
  type Deployment,
  DeploymentResource,
  LeaseResource,
  PatchType,
  createOrPatch,
  isConflict,
  isInvalid,
  jsonPointer,
  mergeFrom,
} from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import { kubeNamespaceForFile } from './kube-namespace.ts';

const file = kubeNamespaceForFile('patches');
const { namespace } = file;
const at = { namespace };

function deployment(name: string, containers: { name: string; image: string }[]): Deployment {
  return {
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

/** `name=image` of each container, in order. */
const images = (d: Deployment) => d.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`);

/** A Deployment with two containers, web (shop:1) and log (log:1). */
const webAndLog = (name: string): Deployment =>
  deployment(name, [
    { name: 'web', image: 'shop:1' },
    { name: 'log', image: 'log:1' },
  ]);

/** A patch body that lists only the web container, with a new image. */
const newWebImage = { spec: { template: { spec: { containers: [{ name: 'web', image: 'shop:2' }] } } } };

describe('typed patches on a real kube-apiserver', () => {
  it('a merge patch sets fields, removes those set to null, and replaces lists whole', async () => {
    const client = file.kube.client;
    await client.create(ConfigMapResource, {
      metadata: { name: 'merge', namespace, labels: { app: 'shop', tier: 'web' } },
      data: { a: '1', b: '2' },
    });
    const patched = await client.patch(
      ConfigMapResource,
      'merge',
      { metadata: { labels: { tier: null, team: 'blue' } }, data: { b: '3' } },
      at,
    );
    expect(patched.metadata?.labels).toEqual({ app: 'shop', team: 'blue' });
    expect(patched.data).toEqual({ a: '1', b: '3' });

    await client.create(DeploymentResource, webAndLog('merge'));
    const replaced = await client.patch(DeploymentResource, 'merge', newWebImage, at);
    expect(images(replaced)).toEqual(['web=shop:2']);
  });

  it('a strategic merge patch merges containers by name', async () => {
    const client = file.kube.client;
    await client.create(DeploymentResource, webAndLog('strategic'));
    const patched = await client.patch(DeploymentResource, 'strategic', newWebImage, {
      ...at,
      type: PatchType.StrategicMerge,
    });
    expect(images(patched)).toEqual(['web=shop:2', 'log=log:1']);
  });

  it('a JSON patch applies its operations in order, and none of them if a test fails', async () => {
    const client = file.kube.client;
    await client.create(DeploymentResource, deployment('json', [{ name: 'web', image: 'shop:1' }]));
    const patched = await client.patch(
      DeploymentResource,
      'json',
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'log', image: 'log:1' } },
        { op: 'add', path: jsonPointer('metadata', 'labels'), value: { 'app.kubernetes.io/name': 'shop' } },
        { op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'store' },
      ],
      { ...at, type: PatchType.Json },
    );
    expect(patched.spec?.replicas).toBe(3);
    expect(patched.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['web', 'log']);
    expect(patched.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'store' });

    const refused = client.patch(
      DeploymentResource,
      'json',
      [
        { op: 'replace', path: '/spec/replicas', value: 5 },
        { op: 'test', path: '/spec/replicas', value: 1 },
      ],
      { ...at, type: PatchType.Json },
    );
    await expect(refused).rejects.toSatisfy(isInvalid);
    expect((await client.get(DeploymentResource, 'json', at)).spec?.replicas).toBe(3);
  });

  it('server-side apply owns the applied fields: a second manager conflicts unless it forces', async () => {
    const client = file.kube.client;
    const config: ApplyConfiguration<Deployment> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'applied' } },
        template: {
          metadata: { labels: { app: 'applied' } },
          spec: { containers: [{ name: 'web', image: 'shop:1' }] },
        },
      },
    };
    const applied = await client.patch(DeploymentResource, 'applied', config, {
      ...at,
      type: PatchType.Apply,
      fieldManager: 'first',
    });
    expect(applied.spec?.replicas).toBe(2);
    expect(applied.metadata?.managedFields?.map((f) => f.manager)).toContain('first');

    const other: ApplyConfiguration<Deployment> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace },
      spec: { replicas: 5 },
    };
    const conflicting = client.patch(DeploymentResource, 'applied', other, {
      ...at,
      type: PatchType.Apply,
      fieldManager: 'second',
    });
    await expect(conflicting).rejects.toSatisfy(isConflict);
    const forced = await client.apply(DeploymentResource, other, { fieldManager: 'second', force: true });
    expect(forced.spec?.replicas).toBe(5);
    // The fields the second manager left out keep the first manager's values.
    expect(forced.spec?.template.spec?.containers[0]?.image).toBe('shop:1');
  });

  it('takes @kubernetes/client-node model objects, with their Dates as the API server writes them', async () => {
    const client = file.kube.client;
    const cm = new V1ConfigMap();
    cm.metadata = Object.assign(new V1ObjectMeta(), { name: 'from-client-node', namespace });
    cm.data = { written: 'by client-node' };
    const created = await client.create(ConfigMapResource, cm);
    expect(created.data).toEqual({ written: 'by client-node' });

    const renewed = new Date('2026-01-02T03:04:05.678Z');
    const lease = Object.assign(new V1Lease(), {
      metadata: Object.assign(new V1ObjectMeta(), { name: 'from-client-node', namespace }),
      spec: Object.assign(new V1LeaseSpec(), {
        holderIdentity: 'me',
        renewTime: renewed,
        acquireTime: renewed,
      }),
    });
    const stored = await client.create(LeaseResource, lease);
    expect(stored.spec?.renewTime).toBe('2026-01-02T03:04:05.678000Z');
    const read = await client.get(LeaseResource, 'from-client-node', at);
    expect(read.spec?.acquireTime).toBe('2026-01-02T03:04:05.678000Z');

    const later = Object.assign(new V1LeaseSpec(), { renewTime: new Date('2026-01-02T03:04:06Z') });
    const patched = await client.patch(LeaseResource, 'from-client-node', { spec: later }, at);
    expect(patched.spec?.renewTime).toBe('2026-01-02T03:04:06.000000Z');
    expect(patched.spec?.holderIdentity).toBe('me');
  });

  it('createOrPatch writes only what mutate changed, so a concurrent write to another field survives', async () => {
    const client = file.kube.client;
    const key = { name: 'create-or-patch', namespace };
    const first = await createOrPatch(client, ConfigMapResource, key, (cm) => {
      cm.data = { owned: '1' };
    });
    expect(first.outcome).toBe('created');
    const result = await createOrPatch(client, ConfigMapResource, key, async (cm) => {
      await client.patch(ConfigMapResource, key.name, { data: { theirs: 'x' } }, at);
      cm.data = { ...cm.data, owned: '2' };
    });
    expect(result.outcome).toBe('updated');
    expect(result.object.data).toEqual({ owned: '2', theirs: 'x' });

    const before = await client.get(ConfigMapResource, key.name, at);
    const after = structuredClone(before);
    after.data = { owned: '3' };
    const patch = mergeFrom(before, after, { optimisticLock: true });
    expect(patch).toEqual({
      metadata: { resourceVersion: before.metadata?.resourceVersion },
      data: { theirs: null, owned: '3' },
    });
    await client.patch(ConfigMapResource, key.name, { data: { theirs: 'y' } }, at);
    await expect(client.patch(ConfigMapResource, key.name, patch, at)).rejects.toSatisfy(isConflict);
  });
});
