import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ConfigMap, Deployment } from './builtins.ts';
import type { KubeObject } from './object.ts';
import {
  type ApplyConfiguration,
  type JsonPatch,
  type MergePatch,
  type StrategicMergePatch,
  jsonPointer,
} from './patch-types.ts';

// The type assertions below are checked by the type checker (tsc runs over the tests); the `it`s make
// vitest report the file and check jsonPointer at run time.

describe('patch body types', () => {
  it('type a merge patch as a deep partial whose nulls remove and whose arrays are whole', () => {
    const patch: MergePatch<Deployment> = {
      metadata: { labels: { app: 'shop' }, annotations: null },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'shop:2' }] } } },
    };
    // @ts-expect-error a misspelt field
    const typo: MergePatch<ConfigMap> = { dta: { a: 'b' } };
    // @ts-expect-error a value of the wrong type
    const wrong: MergePatch<Deployment> = { spec: { replicas: 'three' } };
    // A merge patch replaces arrays, so their elements are complete (a container needs a name).
    const containers = [{ image: 'x' }];
    // @ts-expect-error the container has no name
    const partialItem: MergePatch<Deployment> = { spec: { template: { spec: { containers } } } };
    expect([patch, typo, wrong, partialItem]).toHaveLength(4);
  });

  it('type a strategic merge patch with partial list elements', () => {
    const patch: StrategicMergePatch<Deployment> = {
      spec: { template: { spec: { containers: [{ image: 'x' }] } } },
    };
    expect(patch.spec).toBeDefined();
  });

  it('type JSON patch operations by path a few levels deep, and accept deeper paths', () => {
    const ops: JsonPatch<Deployment> = [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'shop' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'car' } },
      { op: 'remove', path: '/spec/template/spec/containers/0/env/2/value' },
      { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/b' },
      { op: 'add', path: jsonPointer('metadata', 'labels', 'app.kubernetes.io/part-of'), value: 'shop' },
    ];
    expectTypeOf(jsonPointer('a/b', 0)).toEqualTypeOf<'/a~1b/0'>();
    // @ts-expect-error replicas is a number
    const wrongValue: JsonPatch<Deployment> = [{ op: 'replace', path: '/spec/replicas', value: 'three' }];
    // @ts-expect-error a ConfigMap has no spec
    const wrongPath: JsonPatch<ConfigMap> = [{ op: 'remove', path: '/spec/replicas' }];
    expect([ops, wrongValue, wrongPath]).toHaveLength(3);
  });

  it('require apiVersion, kind and metadata.name of an apply configuration, and nothing else', () => {
    const apply: ApplyConfiguration<Deployment> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: { replicas: 2 },
    };
    const nameless: ApplyConfiguration<Deployment> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      // @ts-expect-error metadata.name identifies the object
      metadata: {},
    };
    expect([apply, nameless]).toHaveLength(2);
  });

  it('stay loose for untyped descriptors', () => {
    expectTypeOf<MergePatch<KubeObject>>().toEqualTypeOf<{ [key: string]: unknown }>();
    const ops: JsonPatch<KubeObject> = [{ op: 'add', path: '/anything/deep', value: { x: 1 } }];
    expect(ops).toHaveLength(1);
  });

  it('build JSON pointers with ~ and / escaped', () => {
    expect(jsonPointer('metadata', 'labels', 'app.kubernetes.io/name')).toBe(
      '/metadata/labels/app.kubernetes.io~1name',
    );
    expect(jsonPointer('spec', 'containers', 0, 'a~b')).toBe('/spec/containers/0/a~0b');
  });
});
