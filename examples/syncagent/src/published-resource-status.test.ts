import { describe, expect, it } from 'vitest';
import type { PublishedResource } from './published-resource.ts';
import { publishedStatusPatch } from './published-resource-status.ts';

const pr = (status?: PublishedResource['status']): PublishedResource => ({
  metadata: { name: 'publish-cnpg-cluster', generation: 2 },
  spec: { resource: { apiGroup: 'postgresql.cnpg.io', kind: 'Cluster' } },
  ...(status ? { status } : {}),
});
const at = new Date('2026-12-02T01:00:00.123Z');

describe('publishedStatusPatch', () => {
  it('records the schema name and a Ready condition, then is a no-op when written again', () => {
    const patch = publishedStatusPatch(
      pr(),
      {
        reason: 'Published',
        message: 'published as APIResourceSchema v1.clusters.postgresql.cnpg.io',
        schemaName: 'v1.clusters.postgresql.cnpg.io',
      },
      at,
    );
    expect(patch).toEqual({
      status: {
        resourceSchemaName: 'v1.clusters.postgresql.cnpg.io',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Published',
            message: 'published as APIResourceSchema v1.clusters.postgresql.cnpg.io',
            lastTransitionTime: '2026-12-02T01:00:00Z',
            observedGeneration: 2,
          },
        ],
      },
    });
    const written = pr((patch as { status: PublishedResource['status'] }).status);
    expect(
      publishedStatusPatch(written, {
        reason: 'Published',
        message: 'published as APIResourceSchema v1.clusters.postgresql.cnpg.io',
        schemaName: 'v1.clusters.postgresql.cnpg.io',
      }),
    ).toBeUndefined();
  });

  it('keeps the last published schema when the resource turns invalid (nothing is withdrawn)', () => {
    const published = pr({ resourceSchemaName: 'v1.clusters.postgresql.cnpg.io' });
    const patch = publishedStatusPatch(
      published,
      { reason: 'InvalidSpec', message: 'spec.naming.name: bad' },
      at,
    );
    expect(patch).toMatchObject({
      status: {
        resourceSchemaName: 'v1.clusters.postgresql.cnpg.io',
        conditions: [
          { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: 'spec.naming.name: bad' },
        ],
      },
    });
  });
});
