import { describe, expect, it } from 'vitest';
import { ownerOf } from '../konnector/claim-syncer.ts';
import { claims, isSyncedClaim, matchesLabelSelector, unsyncedClaimReason } from './permission-claims.ts';

const object = (name: string, labels?: Record<string, string>) => ({
  metadata: { name, ...(labels ? { labels } : {}) },
});

describe('permission claims', () => {
  it('sync core ConfigMaps and Secrets, and say why any other claim is not synced', () => {
    expect(isSyncedClaim({ group: '', resource: 'secrets' })).toBe(true);
    expect(isSyncedClaim({ group: '', resource: 'configmaps' })).toBe(true);
    expect(unsyncedClaimReason({ group: '', resource: 'serviceaccounts' })).toBe(
      'the claim on serviceaccounts is not one this konnector syncs (it syncs core configmaps and secrets)',
    );
    expect(
      unsyncedClaimReason({ group: '', resource: 'secrets', selector: { references: [{ resource: 'x' }] } }),
    ).toBe('the claim on secrets selects by references, which this konnector does not support');
  });

  it('match label selectors with matchLabels and every expression operator', () => {
    const labels = { app: 'shop', tier: 'db' };
    expect(matchesLabelSelector({ matchLabels: { app: 'shop' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'blog' } }, labels)).toBe(false);
    expect(
      matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels),
    ).toBe(true);
    expect(
      matchesLabelSelector(
        { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
        labels,
      ),
    ).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(
      true,
    );
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'In', values: [''] }] }, {})).toBe(
      false,
    );
  });

  it('claim named objects (in one namespace or any) AND labelled ones, and nothing with an empty selector', () => {
    const named = { namedResources: [{ name: 'creds', namespace: 'shop' }, { name: 'settings' }] };
    expect(claims(named, object('creds'), 'shop')).toBe(true);
    expect(claims(named, object('creds'), 'blog')).toBe(false);
    expect(claims(named, object('settings'), 'blog')).toBe(true);
    const both = { ...named, labelSelector: { matchLabels: { share: 'yes' } } };
    expect(claims(both, object('settings'), 'shop')).toBe(false);
    expect(claims(both, object('settings', { share: 'yes' }), 'shop')).toBe(true);
    expect(
      claims({ labelSelector: { matchLabels: { share: 'yes' } } }, object('x', { share: 'yes' }), 'a'),
    ).toBe(true);
    expect(claims({}, object('x'), 'shop')).toBe(false);
    expect(claims(undefined, object('x'), 'shop')).toBe(false);
  });

  it('decide the owner by label (the provider side first), else by which side has the object', () => {
    const provider = { metadata: { name: 'a', labels: { 'kube-bind.io/owner': 'provider' } } };
    const consumer = { metadata: { name: 'a', labels: { 'kube-bind.io/owner': 'consumer' } } };
    const plain = { metadata: { name: 'a' } };
    expect(ownerOf(consumer, provider)).toBe('provider');
    expect(ownerOf(plain, consumer)).toBe('consumer');
    expect(ownerOf(provider, plain)).toBe('provider');
    expect(ownerOf(plain, undefined)).toBe('consumer');
    expect(ownerOf(undefined, plain)).toBe('provider');
    expect(ownerOf(plain, plain)).toBeUndefined();
    expect(ownerOf(undefined, undefined)).toBeUndefined();
  });
});
