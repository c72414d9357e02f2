import { describe, expect, it } from 'vitest';
import { consumerKeyOf, providerKeyOf, providerNamespaced } from './isolation.ts';

const annotations = (clusterNs: string, consumerNs?: string): Record<string, string> => ({
  'kube-bind.io/cluster-namespace': clusterNs,
  ...(consumerNs ? { 'kube-bind.io/consumer-namespace': consumerNs } : {}),
});

describe('placing consumer objects on the provider', () => {
  it('puts namespaced objects into the provider namespace of their consumer namespace, and maps copies back', () => {
    const placement = { clusterNamespace: 'kube-bind-abc', namespaced: true, isolation: 'Prefixed' as const };
    expect(providerKeyOf(placement, { namespace: 'shop', name: 'db' }, 'kube-bind-abc-shop')).toEqual({
      namespace: 'kube-bind-abc-shop',
      name: 'db',
    });
    expect(
      consumerKeyOf(placement, {
        metadata: {
          name: 'db',
          namespace: 'kube-bind-abc-shop',
          annotations: annotations('kube-bind-abc', 'shop'),
        },
      }),
    ).toEqual({ namespace: 'shop', name: 'db' });
  });

  it('never maps another consumer’s copy or an object the provider made itself', () => {
    const placement = { clusterNamespace: 'kube-bind-abc', namespaced: true, isolation: 'Prefixed' as const };
    expect(
      consumerKeyOf(placement, {
        metadata: { name: 'db', annotations: annotations('kube-bind-xyz', 'shop') },
      }),
    ).toBeUndefined();
    expect(
      consumerKeyOf(placement, { metadata: { name: 'db', namespace: 'kube-bind-abc-shop' } }),
    ).toBeUndefined();
  });

  it('isolates cluster-scoped objects by prefix, by namespace, or not at all', () => {
    const prefixed = { clusterNamespace: 'c1', namespaced: false, isolation: 'Prefixed' as const };
    expect(providerKeyOf(prefixed, { namespace: '', name: 'x' })).toEqual({ namespace: '', name: 'c1-x' });
    expect(consumerKeyOf(prefixed, { metadata: { name: 'c1-x', annotations: annotations('c1') } })).toEqual({
      namespace: '',
      name: 'x',
    });
    const namespacedIsolation = {
      clusterNamespace: 'c1',
      namespaced: false,
      isolation: 'Namespaced' as const,
    };
    expect(providerNamespaced(namespacedIsolation)).toBe(true);
    expect(providerKeyOf(namespacedIsolation, { namespace: '', name: 'x' })).toEqual({
      namespace: 'c1',
      name: 'x',
    });
    expect(
      consumerKeyOf(namespacedIsolation, {
        metadata: { name: 'x', namespace: 'c1', annotations: annotations('c1') },
      }),
    ).toEqual({ namespace: '', name: 'x' });
    const none = { clusterNamespace: 'c1', namespaced: false, isolation: 'None' as const };
    expect(providerKeyOf(none, { namespace: '', name: 'x' })).toEqual({ namespace: '', name: 'x' });
  });
});
