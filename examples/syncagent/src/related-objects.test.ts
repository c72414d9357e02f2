import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPublishedResource } from './published-resource-v02.ts';
import { type RelatedContext, resolveReference, resolveRelatedObjectSpec } from './related-objects.ts';

const kcpCluster = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'kcp', namespace: 'default' },
  spec: {
    instances: 1,
    superuserSecret: { name: 'kcp-superuser' },
    items: [{ name: 'a' }, { name: '' }, { name: 'c' }],
  },
};
const serviceCluster = { ...kcpCluster, metadata: { name: 'kcp', namespace: '1yaxsslokc5aoqme' } };

function context(
  origin: 'kcp' | 'service',
  originPrimary: Record<string, unknown>,
  destinationPrimary: Record<string, unknown>,
): RelatedContext {
  return { origin, originPrimary, destinationPrimary, clusterName: '1yaxsslokc5aoqme', clusterPath: '' };
}

describe('resolveRelatedObjectSpec', () => {
  it("finds the workshop's superuser Secret through the converted v0.2 reference", () => {
    const raw = parse(
      readFileSync(resolve(import.meta.dirname, '../testdata/resources-cluster.yaml'), 'utf8'),
    );
    const related = readPublishedResource(raw).resource.spec.related?.[0];
    expect(related).toBeDefined();
    const resolution = resolveRelatedObjectSpec(
      related?.object ?? {},
      context('kcp', kcpCluster, serviceCluster),
      'names',
    );
    expect(resolution).toEqual({ kind: 'mapping', mapping: new Map([['kcp-superuser', 'kcp-superuser']]) });
  });

  it('pairs list references element by element and skips empty ones', () => {
    const renamed = {
      ...serviceCluster,
      spec: { ...serviceCluster.spec, items: [{ name: 'x-a' }, { name: 'x-b' }, { name: 'x-c' }] },
    };
    const resolution = resolveRelatedObjectSpec(
      { reference: { path: 'spec.items.#.name' } },
      context('kcp', kcpCluster, renamed),
      'names',
    );
    expect(resolution).toEqual({
      kind: 'mapping',
      mapping: new Map([
        ['a', 'x-a'],
        ['c', 'x-c'],
      ]),
    });
  });

  it('treats a missing path as "nothing yet" and different counts as an error', () => {
    expect(
      resolveRelatedObjectSpec(
        { reference: { path: 'spec.nothing' } },
        context('kcp', kcpCluster, serviceCluster),
        'names',
      ),
    ).toEqual({
      kind: 'mapping',
      mapping: new Map(),
    });
    const fewer = { ...serviceCluster, spec: { items: [{ name: 'a' }] } };
    expect(() =>
      resolveRelatedObjectSpec(
        { reference: { path: 'spec.items[*].name' } },
        context('kcp', kcpCluster, fewer),
        'namespaces',
      ),
    ).toThrow(
      'cannot sync related resources: found 3 namespaces on the origin, but 1 on the destination side',
    );
  });

  it('applies a reference regex', () => {
    expect(
      resolveReference(kcpCluster, {
        path: 'spec.superuserSecret.name',
        regex: { pattern: '^kcp-(.*)$', replacement: '$1-copy' },
      }),
    ).toEqual(['superuser-copy']);
    expect(resolveReference(kcpCluster, { path: 'spec.instances', regex: { replacement: 'fixed' } })).toEqual(
      ['fixed'],
    );
  });

  it('renders templates on both sides with .Side', () => {
    const resolution = resolveRelatedObjectSpec(
      { template: { template: '{{ .Object.metadata.name }}-{{ .Side }}-creds' } },
      context('service', serviceCluster, kcpCluster),
      'names',
    );
    expect(resolution).toEqual({
      kind: 'mapping',
      mapping: new Map([['kcp-service-creds', 'kcp-kcp-creds']]),
    });
    expect(
      resolveRelatedObjectSpec(
        { template: { template: '{{ .Object.spec.nope }}' } },
        context('kcp', kcpCluster, serviceCluster),
        'names',
      ),
    ).toEqual({ kind: 'mapping', mapping: new Map([['<no value>', '<no value>']]) });
  });

  it('templates selector labels from the local/remote primaries and rewrites found names', () => {
    const resolution = resolveRelatedObjectSpec(
      {
        selector: {
          matchLabels: {
            'cnpg.io/cluster': '{{ .LocalObject.metadata.name }}',
            '{{ .RemoteObject.spec.nope | default "" }}': 'x',
            team: '{{ .ClusterName }}',
          },
          matchExpressions: [{ key: 'role', operator: 'Exists' }],
          rewrite: {
            template: {
              template:
                '{{ .Value }}-{{ .RelatedObject.metadata.uid }}-{{ .RemoteObject.metadata.namespace }}',
            },
          },
        },
      },
      context('service', serviceCluster, kcpCluster),
      'names',
    );
    if (resolution.kind !== 'selector') throw new Error('expected a selector');
    expect(resolution.labelSelector).toBe('cnpg.io/cluster=kcp,team=1yaxsslokc5aoqme,role');
    expect(resolution.rewrite('kcp-app', { metadata: { uid: 'u1' } })).toBe('kcp-app-u1-default');
    const byRegex = resolveRelatedObjectSpec(
      { selector: { rewrite: { regex: { pattern: '^kcp-', replacement: 'db-' } } } },
      context('kcp', kcpCluster, serviceCluster),
      'namespaces',
    );
    expect(byRegex.kind === 'selector' && byRegex.rewrite('kcp-app')).toBe('db-app');
  });

  it('reports template failures with where they happened', () => {
    expect(() =>
      resolveRelatedObjectSpec(
        { template: { template: '{{ .Object.metadata.name | sha3short 0 }}' } },
        context('kcp', kcpCluster, serviceCluster),
        'names',
      ),
    ).toThrow(
      'failed to evaluate the origin template: executing "{{ .Object.metadata.name | sha3short 0 }}": sha3short: invalid length 0',
    );
    expect(() => resolveRelatedObjectSpec({}, context('kcp', kcpCluster, serviceCluster), 'names')).toThrow(
      'invalid object spec: none of reference, template or selector is configured',
    );
  });
});
