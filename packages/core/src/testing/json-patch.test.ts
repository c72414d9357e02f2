import { describe, expect, it } from 'vitest';
import { JsonPatchError, applyJsonPatch } from './json-patch.ts';

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'a/b': '1' } }, spec: { list: ['x', 'y'] } };

  it('applies add, remove, replace, move, copy and test in order', () => {
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/list/0', value: 'x' },
      { op: 'add', path: '/spec/list/-', value: 'z' },
      { op: 'add', path: '/spec/list/0', value: 'w' },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'replace', path: '/metadata/labels/a~1b', value: '2' },
      { op: 'copy', from: '/metadata/labels', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
    ]);
    expect(result).toEqual({
      metadata: { labels: { 'a/b': '2' } },
      spec: { list: ['w', 'y', 'z'], moved: { 'a/b': '2' } },
    });
    expect(doc.spec.list).toEqual(['x', 'y']);
  });

  it('fails on a failed test, a missing path or an unknown op', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/list/0', value: 'nope' }])).toThrow(
      JsonPatchError,
    );
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/spec/missing' }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow(JsonPatchError);
    expect(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/a' }])).toThrow(/unknown op/);
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(/array/);
  });
});
