import { describe, expect, it } from 'vitest';
import {
  deleteJsonPathValue,
  expandJsonPath,
  formatJsonPath,
  getJsonPathValue,
  parseJsonPath,
  setJsonPathValue,
} from './json-path.ts';

describe('JSON paths', () => {
  it('parses gjson-style keys, escapes, indexes and wildcards', () => {
    expect(parseJsonPath('spec.secretRef.name')).toEqual([
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'secretRef' },
      { kind: 'key', key: 'name' },
    ]);
    expect(parseJsonPath('metadata.labels.app\\.kubernetes\\.io/name').at(-1)).toEqual({
      kind: 'key',
      key: 'app.kubernetes.io/name',
    });
    expect(parseJsonPath('spec.items.#.name')).toEqual(parseJsonPath('spec.items[*].name'));
    expect(parseJsonPath('spec.items[2].name')).toEqual(parseJsonPath('spec.items.2.name'));
    expect(formatJsonPath(parseJsonPath('spec.items.#.a\\.b'))).toBe('spec.items[*].a\\.b');
  });

  it('rejects malformed paths naming the problem', () => {
    expect(() => parseJsonPath('')).toThrow('path is empty');
    expect(() => parseJsonPath('.spec')).toThrow(
      'path ".spec" must not start with "." (write spec.x, not .spec.x)',
    );
    expect(() => parseJsonPath('spec..x')).toThrow('path "spec..x" has an empty segment at offset 5');
    expect(() => parseJsonPath('spec.')).toThrow('path "spec." must not end with "."');
    expect(() => parseJsonPath('spec.items[x]')).toThrow(
      'path "spec.items[x]" has "[x]"; only [*] and [<index>] are supported',
    );
    expect(() => parseJsonPath('spec.items[0')).toThrow(
      'path "spec.items[0" has an unclosed "[" at offset 10',
    );
    expect(() => parseJsonPath('spec.*')).toThrow(
      'path "spec.*" uses "*", which is not supported (use keys, indexes, # or [*])',
    );
  });

  it('gets, sets and deletes', () => {
    const obj: Record<string, unknown> = { spec: { items: [{ n: 1 }, { n: 2 }] } };
    expect(getJsonPathValue(obj, parseJsonPath('spec.items.1.n'))).toEqual({ found: true, value: 2 });
    expect(getJsonPathValue(obj, parseJsonPath('spec.nope'))).toEqual({ found: false });
    setJsonPathValue(obj, parseJsonPath('status.a.b'), 'x');
    expect(obj.status).toEqual({ a: { b: 'x' } });
    setJsonPathValue(obj, parseJsonPath('spec.items.2'), { n: 3 });
    expect(() => setJsonPathValue(obj, parseJsonPath('spec.items.9'), 1)).toThrow(
      'cannot set spec.items[9]: index 9 is beyond the end of a list of 3',
    );
    setJsonPathValue(obj, parseJsonPath('status.a.b.c'), 1);
    expect(obj.status).toEqual({ a: { b: { c: 1 } } });
    expect(() => setJsonPathValue(obj, parseJsonPath('spec.items.foo'), 1)).toThrow(
      'cannot set spec.items.foo: spec.items is not an object',
    );
    deleteJsonPathValue(obj, parseJsonPath('spec.items.0'));
    deleteJsonPathValue(obj, parseJsonPath('does.not.exist'));
    expect(obj.spec).toEqual({ items: [{ n: 2 }, { n: 3 }] });
  });

  it('expands wildcards to existing elements only', () => {
    const obj = { spec: { items: [{ a: 1 }, { b: 2 }] } };
    expect(expandJsonPath(obj, parseJsonPath('spec.items[*].a')).map(formatJsonPath)).toEqual([
      'spec.items[0].a',
      'spec.items[1].a',
    ]);
    expect(expandJsonPath(obj, parseJsonPath('spec.nothing[*].a'))).toEqual([]);
    expect(expandJsonPath(obj, parseJsonPath('spec.x')).map(formatJsonPath)).toEqual(['spec.x']);
  });
});
