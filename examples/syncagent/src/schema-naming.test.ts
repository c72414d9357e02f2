import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  apiResourceSchemaName,
  type CustomResourceDefinition,
  goString,
  parseApiResourceSchemaName,
} from '@kubeloom/kcp-provider/schemas';
import { toAgentAPIResourceSchema } from './api-resource-schema.ts';
import { projectCrd, stripServiceCrd } from './crd-projection.ts';
import type { PublishedResource } from './published-resource.ts';

function crd(name: string): CustomResourceDefinition {
  const text = readFileSync(resolve(import.meta.dirname, '../testdata', name), 'utf8');
  return (name.endsWith('.json') ? JSON.parse(text) : parse(text)) as CustomResourceDefinition;
}

function publish(
  spec: Partial<PublishedResource['spec']> & { resource: PublishedResource['spec']['resource'] },
): PublishedResource {
  return { metadata: { name: 'pr' }, spec };
}

describe('APIResourceSchema names (checked against the Go encoder)', () => {
  it('names the CNPG Cluster and Database schemas like upstream', () => {
    const clusters = crd('postgresql.cnpg.io_clusters.yaml');
    const databases = crd('postgresql.cnpg.io_databases.yaml');
    const cluster = projectCrd(
      stripServiceCrd(clusters),
      publish({ resource: { apiGroup: 'postgresql.cnpg.io', kind: 'Cluster', versions: ['v1'] } }),
    );
    const database = projectCrd(
      stripServiceCrd(databases),
      publish({ resource: { apiGroup: 'postgresql.cnpg.io', kind: 'Database' } }),
    );
    expect(apiResourceSchemaName(cluster)).toBe('v07575a90.clusters.postgresql.cnpg.io');
    expect(apiResourceSchemaName(database)).toBe('vc44db4dd.databases.postgresql.cnpg.io');
  });

  it('encodes every field kind like Go (HTML escaping, omitempty, raw defaults, floats, validations)', () => {
    const widgets = crd('widgets-crd-edge-cases.json');
    expect(apiResourceSchemaName(widgets)).toBe('v92988eda.widgets.example.com');
    const v1Only = projectCrd(
      widgets,
      publish({ resource: { apiGroup: 'example.com', kind: 'Widget', versions: ['v1'] } }),
    );
    expect(apiResourceSchemaName(v1Only)).toBe('v37a3a999.widgets.example.com');
  });

  it('ignores conversion, and changes with any published change', () => {
    const base = crd('postgresql.cnpg.io_databases.yaml');
    const withWebhook = structuredClone(base);
    withWebhook.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } };
    expect(apiResourceSchemaName(withWebhook)).toBe(apiResourceSchemaName(base));
    const projected = projectCrd(
      base,
      publish({
        resource: { apiGroup: 'postgresql.cnpg.io', kind: 'Database' },
        projection: { group: 'db.example.com' },
      }),
    );
    expect(apiResourceSchemaName(projected)).toMatch(/^v[0-9a-f]{8}\.databases\.db\.example\.com$/);
    expect(apiResourceSchemaName(projected).slice(0, 9)).not.toBe('vc44db4dd');
  });

  it('escapes strings like Go', () => {
    expect(goString('a<b>&c\u2028"')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028\\""');
  });

  it('parses schema names back into group and resource', () => {
    expect(parseApiResourceSchemaName('v07575a90.clusters.postgresql.cnpg.io')).toEqual({
      group: 'postgresql.cnpg.io',
      resource: 'clusters',
    });
    expect(parseApiResourceSchemaName('nodots')).toBeUndefined();
  });
});

describe('toAgentAPIResourceSchema', () => {
  it('converts the projected CNPG Cluster CRD', () => {
    const projected = projectCrd(
      stripServiceCrd({
        ...crd('postgresql.cnpg.io_clusters.yaml'),
        metadata: { name: 'clusters.postgresql.cnpg.io', generation: 4, uid: 'u' },
      }),
      publish({ resource: { apiGroup: 'postgresql.cnpg.io', kind: 'Cluster', version: 'v1' } }),
    );
    const ars = toAgentAPIResourceSchema(projected, 'agent-1');
    expect(ars.metadata).toEqual({
      name: 'v07575a90.clusters.postgresql.cnpg.io',
      labels: { 'syncagent.kcp.io/agent-name': 'agent-1' },
      annotations: { 'syncagent.kcp.io/agent-name': 'agent-1', 'syncagent.kcp.io/source-generation': '4' },
    });
    expect(ars.spec.group).toBe('postgresql.cnpg.io');
    expect(ars.spec.names).toEqual({
      kind: 'Cluster',
      listKind: 'ClusterList',
      plural: 'clusters',
      singular: 'cluster',
    });
    expect(ars.spec.scope).toBe('Namespaced');
    expect(
      ars.spec.versions.map((v) => [v.name, v.served, v.storage, Object.keys(v.subresources ?? {})]),
    ).toEqual([['v1', true, true, ['scale', 'status']]]);
    expect(ars.spec.versions[0]?.schema).toMatchObject({
      type: 'object',
      properties: { spec: { type: 'object' } },
    });
    expect(ars.spec.versions[0]?.additionalPrinterColumns?.length).toBeGreaterThan(0);
    expect(ars.spec.conversion).toBeUndefined();
  });

  it('sets conversion None for several versions and keeps deprecation and selectable fields', () => {
    const ars = toAgentAPIResourceSchema(crd('widgets-crd-edge-cases.json'), 'a');
    expect(ars.spec.conversion).toEqual({ strategy: 'None' });
    expect(ars.spec.versions[0]).toMatchObject({
      name: 'v1beta1',
      deprecated: true,
      deprecationWarning: 'use <v1> & be happy',
    });
    expect(ars.spec.versions[1]).toMatchObject({
      name: 'v1',
      selectableFields: [{ jsonPath: '.spec.mode' }],
    });
  });
});
