import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIExport } from '@kubeloom/kcp-provider';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedGroupResources, mergeIntoAPIExport } from './apiexport-merge.ts';
import { requiredPermissionClaims } from './permission-claims.ts';
import { readPublishedResource } from './published-resource-v02.ts';
import type { PublishedResource } from './published-resource.ts';

function testdata(name: string): unknown {
  return parse(readFileSync(resolve(import.meta.dirname, '../testdata', name), 'utf8'));
}

const workshopSchemas = ['v07575a90.clusters.postgresql.cnpg.io', 'vc44db4dd.databases.postgresql.cnpg.io'];

describe('requiredPermissionClaims', () => {
  it("needs events, namespaces and secrets for the workshop's PublishedResources", () => {
    const prs = ['resources-cluster.yaml', 'resources-database.yaml'].map(
      (f) => readPublishedResource(testdata(f)).resource,
    );
    expect(requiredPermissionClaims(prs, [])).toEqual([
      { group: '', resource: 'events', identityHash: '' },
      { group: '', resource: 'namespaces', identityHash: '' },
      { group: '', resource: 'secrets', identityHash: '' },
    ]);
  });

  it('claims logicalclusters, foreign related resources with their identity, and not what the export provides', () => {
    const pr: PublishedResource = {
      metadata: { name: 'p' },
      spec: {
        resource: { apiGroup: 'example.com', kind: 'Thing' },
        enableWorkspacePaths: true,
        related: [
          {
            identifier: 'net',
            origin: 'kcp',
            group: 'net.example.com',
            version: 'v1',
            resource: 'networks',
            identityHash: 'abc',
            object: { template: { template: 'x' } },
          },
          {
            identifier: 'own',
            origin: 'kcp',
            group: 'example.com',
            version: 'v1',
            resource: 'things',
            object: { template: { template: 'x' } },
          },
          {
            identifier: 'cfg',
            origin: 'service',
            kind: 'ConfigMap',
            projection: { group: 'kcp.example.com', resource: 'kubeconfigmaps' },
            object: { template: { template: 'x' } },
          },
        ],
      },
    };
    expect(requiredPermissionClaims([pr], [{ group: 'example.com', resource: 'things' }])).toEqual([
      { group: '', resource: 'events', identityHash: '' },
      { group: '', resource: 'namespaces', identityHash: '' },
      { group: 'core.kcp.io', resource: 'logicalclusters', identityHash: '' },
      { group: 'kcp.example.com', resource: 'kubeconfigmaps', identityHash: '' },
      { group: 'net.example.com', resource: 'networks', identityHash: 'abc' },
    ]);
  });
});

describe('mergeIntoAPIExport', () => {
  const claims = requiredPermissionClaims(
    ['resources-cluster.yaml', 'resources-database.yaml'].map(
      (f) => readPublishedResource(testdata(f)).resource,
    ),
    [],
  );

  it("fills the workshop's empty export", () => {
    const existing = testdata('export.yaml') as APIExport;
    const result = mergeIntoAPIExport(existing, workshopSchemas, claims, 'agent');
    expect(result.export).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIExport',
      metadata: { name: 'postgresql.cnpg.io', annotations: { 'syncagent.kcp.io/agent-name': 'agent' } },
      spec: {
        resources: [
          {
            name: 'clusters',
            group: 'postgresql.cnpg.io',
            schema: 'v07575a90.clusters.postgresql.cnpg.io',
            storage: { crd: {} },
          },
          {
            name: 'databases',
            group: 'postgresql.cnpg.io',
            schema: 'vc44db4dd.databases.postgresql.cnpg.io',
            storage: { crd: {} },
          },
        ],
        permissionClaims: [
          { group: '', resource: 'events', verbs: ['*'] },
          { group: '', resource: 'namespaces', verbs: ['*'] },
          { group: '', resource: 'secrets', verbs: ['*'] },
        ],
      },
    });
    expect(result).toMatchObject({
      changed: true,
      addedSchemas: workshopSchemas,
      removedSchemas: [],
      addedClaims: ['events', 'namespaces', 'secrets'],
      claimConflicts: [],
    });
    expect(existing.spec).toEqual({});
  });

  it('is idempotent: merging its own result again changes nothing, whatever the input order', () => {
    const first = mergeIntoAPIExport(
      testdata('export.yaml') as APIExport,
      workshopSchemas.toReversed(),
      claims.toReversed(),
      'agent',
    );
    const second = mergeIntoAPIExport(first.export, workshopSchemas, claims, 'agent');
    expect(second.changed).toBe(false);
    expect(second.export).toEqual(first.export);
    expect(second).toMatchObject({ addedSchemas: [], removedSchemas: [], addedClaims: [] });
  });

  it('replaces our old schema, keeps foreign ones and existing claims, and reports claim conflicts', () => {
    const existing: APIExport = {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: 'e', annotations: { keep: 'me' } },
      spec: {
        resources: [
          { name: 'widgets', group: 'other.io', schema: 'v1.widgets.other.io', storage: { crd: {} } },
          {
            name: 'clusters',
            group: 'postgresql.cnpg.io',
            schema: 'vdeadbeef.clusters.postgresql.cnpg.io',
            storage: { crd: {} },
          },
        ],
        permissionClaims: [
          { group: '', resource: 'secrets', verbs: ['get', 'list'] },
          { group: '', resource: 'configmaps', verbs: ['*'] },
        ],
      },
    };
    const result = mergeIntoAPIExport(existing, workshopSchemas, claims, 'agent');
    expect(exportedGroupResources(result.export)).toEqual([
      { group: 'postgresql.cnpg.io', resource: 'clusters' },
      { group: 'postgresql.cnpg.io', resource: 'databases' },
      { group: 'other.io', resource: 'widgets' },
    ]);
    expect(result.export.spec?.permissionClaims).toEqual([
      { group: '', resource: 'configmaps', verbs: ['*'] },
      { group: '', resource: 'events', verbs: ['*'] },
      { group: '', resource: 'namespaces', verbs: ['*'] },
      { group: '', resource: 'secrets', verbs: ['get', 'list'] },
    ]);
    expect(result.export.metadata.annotations).toEqual({
      keep: 'me',
      'syncagent.kcp.io/agent-name': 'agent',
    });
    expect(result.addedSchemas).toEqual(workshopSchemas);
    expect(result.removedSchemas).toEqual(['vdeadbeef.clusters.postgresql.cnpg.io']);
    expect(result.claimConflicts).toEqual([
      'the permission claim for secrets has verbs [get list] and identityHash "", but the agent needs verbs [*] and identityHash ""; it was left as it is',
    ]);
  });

  it('rejects a malformed schema name', () => {
    expect(() => mergeIntoAPIExport({ metadata: { name: 'e' } }, ['nodots'], [], 'a')).toThrow(
      'invalid APIResourceSchema name "nodots": expected <prefix>.<plural>.<group>',
    );
  });
});
