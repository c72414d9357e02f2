import type { APIResourceSchema } from '@kubeloom/kcp-provider';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { boundSchemaFromApiResourceSchema } from './bound-schema-from-ars.ts';
import { clusterNamespaceOf } from './consumer-setup.ts';
import { scopedKubeconfig } from './scoped-kubeconfig.ts';

const ars: APIResourceSchema = {
  metadata: { name: 'v1a2b3c.clusters.postgresql.cnpg.io' },
  spec: {
    group: 'postgresql.cnpg.io',
    names: { kind: 'Cluster', plural: 'clusters' },
    scope: 'Namespaced',
    versions: [
      { name: 'v1', served: true, storage: true, schema: { type: 'object' }, subresources: { status: {} } },
    ],
  },
};

describe('the backend', () => {
  it('copies an APIResourceSchema into a BoundSchema named <plural>.<group>, owned by the export', () => {
    const bound = boundSchemaFromApiResourceSchema(ars, 'kube-bind-abc', { name: 'postgres', uid: 'u1' });
    expect(bound.metadata).toMatchObject({
      name: 'clusters.postgresql.cnpg.io',
      namespace: 'kube-bind-abc',
      ownerReferences: [{ kind: 'APIServiceExport', name: 'postgres', uid: 'u1', controller: true }],
    });
    expect(bound.spec).toEqual({
      group: 'postgresql.cnpg.io',
      names: { kind: 'Cluster', plural: 'clusters' },
      scope: 'Namespaced',
      informerScope: 'Cluster',
      versions: [
        { name: 'v1', served: true, storage: true, schema: { type: 'object' }, subresources: { status: {} } },
      ],
    });
  });

  it('hands out a kubeconfig whose current context names the cluster namespace', () => {
    const config = parse(
      scopedKubeconfig({
        server: 'https://kcp.example/clusters/abc',
        token: 't',
        namespace: 'kube-bind-abc',
      }),
    ) as {
      'current-context': string;
      contexts: Array<{ name: string; context: { namespace: string } }>;
    };
    expect(config.contexts.find((c) => c.name === config['current-context'])?.context.namespace).toBe(
      'kube-bind-abc',
    );
  });

  it('gives each user and consumer cluster a namespace of its own', () => {
    const alice = { issuer: 'https://idp', subject: 'alice', cluster: 'c1', author: 'alice' };
    expect(clusterNamespaceOf(alice)).toMatch(/^kube-bind-[0-9a-f]{12}$/);
    expect(clusterNamespaceOf(alice)).toBe(clusterNamespaceOf({ ...alice, author: 'someone else' }));
    expect(clusterNamespaceOf(alice)).not.toBe(clusterNamespaceOf({ ...alice, subject: 'bob' }));
    expect(clusterNamespaceOf(alice)).not.toBe(clusterNamespaceOf({ ...alice, cluster: 'c2' }));
  });
});
