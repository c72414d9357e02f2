import { describe, expect, it } from 'vitest';
import { FieldSelector } from './field-selector.ts';

describe('FieldSelector', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns' } };

  it('matches metadata.name and metadata.namespace with =, == and !=', () => {
    expect(FieldSelector.parse('metadata.name=a').matches(obj)).toBe(true);
    expect(FieldSelector.parse('metadata.name==b').matches(obj)).toBe(false);
    expect(FieldSelector.parse('metadata.name!=b,metadata.namespace=ns').matches(obj)).toBe(true);
    expect(FieldSelector.parse('metadata.namespace!=ns').matches(obj)).toBe(false);
    expect(FieldSelector.parse('').empty).toBe(true);
  });

  it('rejects other fields and malformed terms', () => {
    expect(() => FieldSelector.parse('spec.nodeName=x')).toThrow(/field label not supported: spec.nodeName/);
    expect(() => FieldSelector.parse('metadata.name')).toThrow(SyntaxError);
  });
});
