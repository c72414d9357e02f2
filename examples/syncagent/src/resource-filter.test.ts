import { describe, expect, it } from 'vitest';
import { compileResourceFilter } from './resource-filter.ts';

describe('compileResourceFilter', () => {
  it('passes everything without a filter or with empty selectors', () => {
    expect(compileResourceFilter(undefined).matches(undefined, undefined)).toBe(true);
    const empty = compileResourceFilter({ resource: {}, namespace: {} });
    expect(empty.matches({ a: 'b' }, {})).toBe(true);
    expect(empty.needsNamespace).toBe(true);
  });

  it('matches object labels and namespace labels', () => {
    const filter = compileResourceFilter({
      resource: {
        matchLabels: { sync: 'yes' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['test'] }],
      },
      namespace: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
    });
    expect(filter.matches({ sync: 'yes' }, { team: 'a' })).toBe(true);
    expect(filter.matches({ sync: 'yes', tier: 'test' }, { team: 'a' })).toBe(false);
    expect(filter.matches({ sync: 'no' }, { team: 'a' })).toBe(false);
    expect(filter.matches({ sync: 'yes' }, {})).toBe(false);
    expect(filter.matches({ sync: 'yes' }, undefined)).toBe(true);
    expect(compileResourceFilter({ resource: { matchLabels: { a: 'b' } } }).needsNamespace).toBe(false);
  });
});
