import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localObjectName } from './naming.ts';
import { readPublishedResource } from './published-resource-v02.ts';
import { validatePublishedResource } from './validation.ts';

function testdata(name: string): unknown {
  return parse(readFileSync(resolve(import.meta.dirname, '../testdata', name), 'utf8'));
}

describe('readPublishedResource (v0.2 → current)', () => {
  it("converts the workshop's resources-cluster.yaml the way the reference translates it", () => {
    const { resource, conversions } = readPublishedResource(testdata('resources-cluster.yaml'));
    expect(resource).toEqual({
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'publish-cnpg-cluster' },
      spec: {
        resource: { kind: 'Cluster', apiGroup: 'postgresql.cnpg.io', versions: ['v1'] },
        naming: { namespace: '{{ .ClusterName }}', name: '{{ .Object.metadata.name }}' },
        related: [
          {
            identifier: 'credentials',
            origin: 'kcp',
            group: '',
            version: 'v1',
            resource: 'secrets',
            object: { reference: { path: 'spec.superuserSecret.name' } },
          },
        ],
      },
    });
    expect(conversions).toEqual([
      'spec.resource.version: converted to versions: [v1]',
      'spec.naming.namespace: converted "$remoteClusterName" to "{{ .ClusterName }}"',
      'spec.naming.name: converted "$remoteName" to "{{ .Object.metadata.name }}"',
      'spec.related[0].reference: converted the v0.2 reference to object.reference',
      'spec.related[0].kind: converted Secret to group "", version v1, resource secrets',
    ]);
    expect(validatePublishedResource(resource)).toEqual([]);
  });

  it("converts the workshop's resources-database.yaml and keeps the names the workshop relies on", () => {
    const raw = testdata('resources-database.yaml');
    const { resource } = readPublishedResource(raw);
    expect(resource.spec).toEqual({
      resource: { kind: 'Database', apiGroup: 'postgresql.cnpg.io', versions: ['v1'] },
      naming: { namespace: '{{ .ClusterName }}', name: '{{ .Object.metadata.name }}' },
    });
    expect(validatePublishedResource(resource)).toEqual([]);
    // The same local name as the legacy pattern gives: db-one lands next to its Cluster "kcp".
    const remote = { metadata: { name: 'db-one', namespace: 'default' } };
    expect(localObjectName(resource.spec.naming, remote, { clusterName: '1yaxsslokc5aoqme' })).toEqual({
      namespace: '1yaxsslokc5aoqme',
      name: 'db-one',
    });
    expect(raw).toMatchObject({ spec: { resource: { version: 'v1' } } });
  });

  it('converts a v0.2 namespace reference with regex, and the deprecated kind of current objects', () => {
    const { resource } = readPublishedResource({
      spec: {
        resource: { apiGroup: 'example.com', kind: 'Thing', versions: ['v1'] },
        related: [
          {
            identifier: 'cfg',
            origin: 'service',
            kind: 'ConfigMap',
            reference: {
              name: { path: 'spec.configName', regex: { pattern: '^(.*)$', replacement: 'cfg-$1' } },
              namespace: { path: 'spec.configNamespace' },
            },
          },
          {
            identifier: 'creds',
            origin: 'kcp',
            kind: 'Secret',
            object: { template: { template: '{{ .Object.metadata.name }}' } },
          },
        ],
      },
    });
    expect(resource.spec.related).toEqual([
      {
        identifier: 'cfg',
        origin: 'service',
        group: '',
        version: 'v1',
        resource: 'configmaps',
        object: {
          reference: { path: 'spec.configName', regex: { pattern: '^(.*)$', replacement: 'cfg-$1' } },
          namespace: { reference: { path: 'spec.configNamespace' } },
        },
      },
      {
        identifier: 'creds',
        origin: 'kcp',
        group: '',
        version: 'v1',
        resource: 'secrets',
        object: { template: { template: '{{ .Object.metadata.name }}' } },
      },
    ]);
  });

  it('leaves conflicting and current-shape input alone for validation to report', () => {
    const current = {
      metadata: { name: 'x' },
      spec: {
        resource: { apiGroup: 'example.com', kind: 'Thing', versions: ['v1'], version: 'v2' },
        naming: { name: '{{ .Object.metadata.name }}' },
      },
    };
    const { resource, conversions } = readPublishedResource(current);
    expect(conversions).toEqual([]);
    expect(resource).toEqual(current);
    expect(resource).not.toBe(current);
    expect(readPublishedResource('nonsense').resource).toEqual({});
  });
});
