import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch, jsonEqual } from './merge-patch.ts';

describe('JSON merge patches', () => {
  it('creates RFC 7386 patches', () => {
    const base = { spec: { a: 1, b: { c: 2, d: 3 }, list: [1, 2], gone: 'x' }, keep: true };
    const revision = { spec: { a: 1, b: { c: 2, d: 4 }, list: [1, 2, 3], added: { x: null } }, keep: true };
    expect(createMergePatch(base, revision)).toEqual({
      spec: { b: { d: 4 }, list: [1, 2, 3], gone: null, added: { x: null } },
    });
    expect(createMergePatch(base, structuredClone(base))).toEqual({});
    expect(createMergePatch({ a: { b: 1 } }, { a: 'scalar' })).toEqual({ a: 'scalar' });
  });

  it('applies patches, and applying the created patch reproduces the revision', () => {
    const base = { spec: { a: 1, b: { c: 2 } }, drop: 1 };
    const revision = { spec: { a: 2, b: { c: 2, e: [1] } } };
    expect(applyMergePatch(base, createMergePatch(base, revision))).toEqual(revision);
    expect(applyMergePatch('x', { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });

  it('compares JSON values structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
