import { describe, expect, it } from 'vitest';
import { type ConfigMap, DeploymentResource, NamespaceResource } from '../client/builtins.ts';
import type { KubeObject } from '../client/object.ts';
import {
  AlreadyOwnedError,
  controllerReferenceOf,
  isControlledBy,
  setControllerReference,
  setOwnerReference,
} from './owner-references.ts';
import { WidgetResource } from './widget.test.support.ts';

const owner = (name: string, namespace = 'web', uid = `uid-${name}`): KubeObject => ({
  metadata: { name, namespace, uid },
});
const child = (): ConfigMap => ({ kind: 'ConfigMap', metadata: { name: 'child', namespace: 'web' } });

describe('setControllerReference', () => {
  it('adds a controller reference with blockOwnerDeletion, and updates it for the same owner', () => {
    const object = child();
    expect(setControllerReference(owner('shop'), object, WidgetResource)).toBe(object);
    expect(object.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'shop',
        uid: 'uid-shop',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    setControllerReference(owner('shop', 'web', 'uid-recreated'), object, WidgetResource);
    expect(object.metadata?.ownerReferences).toHaveLength(1);
    expect(object.metadata?.ownerReferences?.[0]?.uid).toBe('uid-recreated');
    expect(isControlledBy(object, owner('shop', 'web', 'uid-recreated'))).toBe(true);
    expect(isControlledBy(object, owner('shop'))).toBe(false);
  });

  it('refuses a second controller with a message naming both owners', () => {
    const object = setControllerReference(owner('first'), child(), WidgetResource);
    let error: unknown;
    try {
      setControllerReference(owner('second'), object, DeploymentResource);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlreadyOwnedError);
    expect((error as AlreadyOwnedError).existing.name).toBe('first');
    expect((error as Error).message).toBe(
      'ConfigMap "web/child" is already controlled by Widget "first" (example.com/v1, uid uid-first), so Deployment "second" cannot become its controller; an object has at most one controller reference (use setOwnerReference for a non-controlling owner)',
    );
    expect(controllerReferenceOf(object)?.name).toBe('first');
  });

  it('rejects references Kubernetes would not honour', () => {
    expect(() => setControllerReference(owner('other-ns', 'db'), child(), WidgetResource)).toThrow(
      /cannot cross namespaces/,
    );
    expect(() =>
      setControllerReference({ metadata: { name: 'new', namespace: 'web' } }, child(), WidgetResource),
    ).toThrow(/no name or uid yet/);
    const clusterScoped: KubeObject = { metadata: { name: 'global' } };
    expect(() => setControllerReference(owner('w'), clusterScoped, WidgetResource)).toThrow(
      /cluster-scoped object cannot have a namespaced owner/,
    );
    const inA = { metadata: { ...owner('w').metadata, annotations: { 'kcp.io/cluster': 'a' } } };
    const inB: ConfigMap = {
      metadata: { name: 'c', namespace: 'web', annotations: { 'kcp.io/cluster': 'b' } },
    };
    expect(() => setControllerReference(inA, inB, WidgetResource)).toThrow(/cannot cross logical clusters/);
    // A cluster-scoped owner may own a namespaced object.
    const ns = { metadata: { name: 'tenant', uid: 'uid-ns' } };
    expect(setControllerReference(ns, child(), NamespaceResource).metadata?.ownerReferences?.[0]?.kind).toBe(
      'Namespace',
    );
  });
});

describe('setOwnerReference', () => {
  it('adds non-controlling owners next to a controller and keeps flags of an existing reference', () => {
    const object = setControllerReference(owner('ctrl'), child(), WidgetResource);
    setOwnerReference(owner('extra'), object, WidgetResource);
    setOwnerReference(owner('ctrl', 'web', 'uid-ctrl-2'), object, WidgetResource);
    expect(object.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'ctrl',
        uid: 'uid-ctrl-2',
        controller: true,
        blockOwnerDeletion: true,
      },
      { apiVersion: 'example.com/v1', kind: 'Widget', name: 'extra', uid: 'uid-extra' },
    ]);
    expect(isControlledBy(object, owner('extra'))).toBe(false);
  });
});
