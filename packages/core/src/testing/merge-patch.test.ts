import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.ts';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects recursively, removes members set to null, and replaces arrays', () => {
    const target = { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2], keep: { x: 1 } };
    const patch = { a: 'z', c: { f: null, h: 'i' }, list: [3] };
    expect(applyMergePatch(target, patch)).toEqual({
      a: 'z',
      c: { d: 'e', h: 'i' },
      list: [3],
      keep: { x: 1 },
    });
  });

  it('does not modify its inputs and shares unchanged subtrees', () => {
    const target = { keep: { x: 1 }, change: { y: 1 } };
    const result = applyMergePatch(target, { change: { y: 2 } }) as typeof target;
    expect(target.change.y).toBe(1);
    expect(result.keep).toBe(target.keep);
  });

  it('replaces the whole document when the patch is not an object, and builds objects from scratch', () => {
    expect(applyMergePatch({ a: 1 }, ['x'])).toEqual(['x']);
    expect(applyMergePatch('text', { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });
});
