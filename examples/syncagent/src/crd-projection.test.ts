import { describe, expect, it } from 'vitest';
import type { CrdVersion, CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import {
  ProjectionError,
  compareKubeAwareVersions,
  projectCrd,
  storageVersionOf,
  stripServiceCrd,
} from './crd-projection.ts';
import type {
  PublishedResource,
  ResourceProjection,
  SourceResourceDescriptor,
} from './published-resource.ts';

function version(name: string, served = true, storage = false): CrdVersion {
  return { name, served, storage, schema: { openAPIV3Schema: { type: 'object' } } };
}

const crontabs: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'crontabs.example.com',
    generation: 2,
    uid: 'x',
    annotations: { 'api-approved.kubernetes.io': 'https://x', other: 'y' },
  },
  spec: {
    group: 'example.com',
    names: {
      plural: 'crontabs',
      singular: 'crontab',
      kind: 'CronTab',
      listKind: 'CronTabList',
      shortNames: ['ct'],
      categories: ['all'],
    },
    scope: 'Namespaced',
    versions: [version('v1alpha1'), version('v1', true, true), version('v2', false)],
  },
};

function pr(resource: Partial<SourceResourceDescriptor>, projection?: ResourceProjection): PublishedResource {
  return {
    metadata: { name: 'p' },
    spec: {
      resource: { apiGroup: 'example.com', kind: 'CronTab', ...resource },
      ...(projection ? { projection } : {}),
    },
  };
}

function fail(p: PublishedResource): () => CustomResourceDefinition {
  return () => projectCrd(crontabs, p);
}

describe('projectCrd', () => {
  it('keeps all versions by default and only the selected ones otherwise', () => {
    expect(projectCrd(crontabs, pr({})).spec.versions.map((v) => v.name)).toEqual(['v1alpha1', 'v1', 'v2']);
    expect(
      projectCrd(crontabs, pr({ versions: ['v1alpha1', 'v1'] })).spec.versions.map((v) => v.name),
    ).toEqual(['v1alpha1', 'v1']);
    expect(projectCrd(crontabs, pr({ version: 'v1' })).spec.versions.map((v) => v.name)).toEqual(['v1']);
    expect(crontabs.spec.versions).toHaveLength(3);
  });

  it('makes the last served selected version the storage version when the storage version is not selected', () => {
    const projected = projectCrd(crontabs, pr({ versions: ['v1alpha1', 'v2'] }));
    expect(projected.spec.versions.map((v) => [v.name, v.storage])).toEqual([
      ['v1alpha1', true],
      ['v2', false],
    ]);
    expect(storageVersionOf(projected)).toBe('v1alpha1');
  });

  it("fails with upstream's messages", () => {
    expect(fail(pr({ version: 'v1', versions: ['v1'] }))).toThrow(
      new ProjectionError(
        'cannot configure both .version and .versions in as the source of a PublishedResource',
      ),
    );
    expect(fail(pr({ version: 'v9' }))).toThrow('CRD does not contain version v9');
    expect(fail(pr({ versions: ['v8', 'v9'] }))).toThrow('CRD does not contain any of versions [v8 v9]');
    expect(fail(pr({ versions: ['v2'] }))).toThrow('no CRD version selected that is marked as served');
    expect(fail(pr({}, { version: 'v5' }))).toThrow(
      'cannot project CRD version to a single version "v5" because it contains 3 versions',
    );
    expect(fail(pr({}, { versions: { v1alpha1: 'v1' } }))).toThrow(
      'CRD contains multiple entries for v1 after applying mutation rules',
    );
    expect(() =>
      storageVersionOf({ ...crontabs, spec: { ...crontabs.spec, versions: [version('v1')] } }),
    ).toThrow('CRD does not contain a storage version');
  });

  it('renames versions and re-sorts them the Kubernetes way', () => {
    const projected = projectCrd(crontabs, pr({}, { versions: { v1alpha1: 'v3', v2: 'v1beta1' } }));
    expect(projected.spec.versions.map((v) => v.name)).toEqual(['v1beta1', 'v1', 'v3']);
    expect(
      projectCrd(crontabs, pr({ version: 'v1' }, { version: 'v7' })).spec.versions.map((v) => v.name),
    ).toEqual(['v7']);
  });

  it('projects group, kind, plural, scope, shortNames and categories, and renames the CRD', () => {
    const projected = projectCrd(
      crontabs,
      pr({}, { group: 'kcp.example.com', kind: 'Tab', scope: 'Cluster', shortNames: [], categories: null }),
    );
    expect(projected.metadata.name).toBe('tabs.kcp.example.com');
    expect(projected.spec.group).toBe('kcp.example.com');
    expect(projected.spec.scope).toBe('Cluster');
    expect(projected.spec.names).toEqual({
      plural: 'tabs',
      singular: 'tab',
      kind: 'Tab',
      listKind: 'TabList',
      shortNames: [],
      categories: ['all'],
    });
    expect(projectCrd(crontabs, pr({}, { kind: 'Tab', plural: 'tabbies' })).spec.names.plural).toBe(
      'tabbies',
    );
  });
});

describe('stripServiceCrd', () => {
  it('keeps only name, generation and the api-approved annotation, and forces conversion None', () => {
    const stripped = stripServiceCrd({
      ...crontabs,
      spec: { ...crontabs.spec, conversion: { strategy: 'Webhook' } },
    });
    expect(stripped.metadata).toEqual({
      name: 'crontabs.example.com',
      generation: 2,
      annotations: { 'api-approved.kubernetes.io': 'https://x' },
    });
    expect(stripped.spec.conversion).toEqual({ strategy: 'None' });
  });

  it('gives versions of a non-structural CRD without a schema an open schema', () => {
    const nonStructural = {
      ...crontabs,
      spec: { ...crontabs.spec, versions: [{ name: 'v1', served: true, storage: true }] },
      status: { conditions: [{ type: 'NonStructuralSchema', status: 'True' }] },
    };
    expect(stripServiceCrd(nonStructural).spec.versions[0]?.schema).toEqual({
      openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    });
  });
});

describe('compareKubeAwareVersions', () => {
  it('orders like Go version.CompareKubeAwareVersionStrings', () => {
    expect(
      ['v1', 'v2', 'v10', 'v1beta2', 'v1alpha1', 'foo', 'bar', 'v1beta1', 'v2alpha3'].toSorted(
        compareKubeAwareVersions,
      ),
    ).toEqual(['foo', 'bar', 'v1alpha1', 'v2alpha3', 'v1beta1', 'v1beta2', 'v1', 'v2', 'v10']);
  });
});
