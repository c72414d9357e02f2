import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { readPublishedResource } from './published-resource-v02.ts';
import { syncTargetOf } from './sync-target.ts';

const testdata = join(import.meta.dirname, '../testdata');
const yaml = (name: string): unknown => parse(readFileSync(join(testdata, name), 'utf8'));

describe('syncTargetOf', () => {
  it('resolves the workshop Cluster: storage version on both sides, status subresource, the schema name', () => {
    const { resource } = readPublishedResource(yaml('resources-cluster.yaml'));
    const target = syncTargetOf(
      resource,
      yaml('postgresql.cnpg.io_clusters.yaml') as CustomResourceDefinition,
    );
    expect(target.local).toEqual({
      group: 'postgresql.cnpg.io',
      version: 'v1',
      kind: 'Cluster',
      plural: 'clusters',
      namespaced: true,
    });
    expect(target.remote).toEqual(target.local);
    expect(target.subresources).toEqual(['scale', 'status']);
    expect(target.statusSubresource).toBe(true);
    expect(target.schemaName).toBe('v07575a90.clusters.postgresql.cnpg.io');
  });

  it('projects the kcp side (group, kind, scope) and keeps the local side', () => {
    const { resource } = readPublishedResource(yaml('resources-database.yaml'));
    resource.spec.projection = { group: 'db.example.com', kind: 'PostgresDatabase', scope: 'Cluster' };
    const target = syncTargetOf(
      resource,
      yaml('postgresql.cnpg.io_databases.yaml') as CustomResourceDefinition,
    );
    expect(target.local).toMatchObject({ group: 'postgresql.cnpg.io', kind: 'Database', namespaced: true });
    expect(target.remote).toEqual({
      group: 'db.example.com',
      version: 'v1',
      kind: 'PostgresDatabase',
      plural: 'postgresdatabases',
      namespaced: false,
    });
    expect(target.schemaName).toMatch(/^v[0-9a-f]{8}\.postgresdatabases\.db\.example\.com$/);
  });
});
