import { describe, expect, it } from 'vitest';
import { FieldProblemError } from './field-problem.ts';
import { applyMutations, compileMutation, compileMutations } from './mutations.ts';
import type { ResourceMutation } from './published-resource.ts';

function run(
  mutations: ResourceMutation[],
  object: Record<string, unknown>,
  other: Record<string, unknown> | null = null,
) {
  return applyMutations(compileMutations(mutations, 'spec.mutation.spec'), object, other);
}

function problemOf(mutation: ResourceMutation): string {
  let caught: unknown;
  try {
    compileMutation(mutation, 'spec.mutation.spec[0]');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FieldProblemError);
  return (caught as Error).message;
}

describe('mutations', () => {
  const object = {
    metadata: { name: 'web' },
    spec: { secretName: 'db-creds', replicas: 3, items: [{ x: 'a' }, { x: 'b' }, { y: 1 }] },
  };

  it('deletes a path, a list element and every element field, without touching the input', () => {
    const out = run(
      [{ delete: { path: 'spec.secretName' } }, { delete: { path: 'spec.items[*].x' } }],
      object,
    );
    expect(out.spec).toEqual({ replicas: 3, items: [{}, {}, { y: 1 }] });
    expect(object.spec.secretName).toBe('db-creds');
    expect(run([{ delete: { path: 'spec.items[*]' } }], object).spec).toMatchObject({ items: [] });
  });

  it('rewrites with regex (Go replacement syntax) and writes strings', () => {
    expect(
      run(
        [{ regex: { path: 'spec.secretName', pattern: '^(.+)-creds$', replacement: '${1}-secret' } }],
        object,
      ).spec,
    ).toMatchObject({
      secretName: 'db-secret',
    });
    expect(
      run([{ regex: { path: 'spec.replicas', pattern: '3', replacement: '$0$0' } }], object).spec,
    ).toMatchObject({ replicas: '33' });
    expect(
      run([{ regex: { path: 'spec.secretName', pattern: '(?i)DB\\-', replacement: '' } }], object).spec,
    ).toMatchObject({
      secretName: 'creds',
    });
    expect(
      run([{ regex: { path: 'spec.secretName', pattern: '\\p{L}+$', replacement: 'é' } }], object).spec,
    ).toMatchObject({
      secretName: 'db-é',
    });
    expect(run([{ regex: { path: 'spec.new', replacement: 'fixed' } }], object).spec).toMatchObject({
      new: 'fixed',
    });
    expect(
      run([{ regex: { path: 'spec.items[*].x', pattern: '$', replacement: '-1' } }], object).spec,
    ).toMatchObject({
      items: [{ x: 'a-1' }, { x: 'b-1' }, { y: 1 }],
    });
    expect(
      run([{ regex: { path: 'spec.secretName', pattern: '(?P<base>db)', replacement: '$base$1x' } }], object)
        .spec,
    ).toMatchObject({
      secretName: 'db-creds',
    });
  });

  it('renders templates with .Value, .LocalObject and .RemoteObject', () => {
    const out = run(
      [
        {
          template: {
            path: 'spec.secretName',
            template:
              ' {{ .Value.String }}-{{ .LocalObject.metadata.name }}-{{ .RemoteObject.metadata.name }} ',
          },
        },
      ],
      object,
      { metadata: { name: 'copy' } },
    );
    expect(out.spec).toMatchObject({ secretName: 'db-creds-web-copy' });
    expect(
      run([{ template: { path: 'spec.count', template: '{{ .Value.String }}' } }], object).spec,
    ).toMatchObject({ count: '' });
  });

  it('evaluates CEL with value/self/other and keeps JSON types, including lists', () => {
    const out = run(
      [
        { cel: { path: 'spec.replicas', expression: 'value * 2' } },
        { cel: { path: 'spec.names', expression: '[self.metadata.name, other.metadata.name]' } },
        { cel: { path: 'spec.ratio', expression: 'double(value == null ? 1 : 0) / 4.0' } },
        { cel: { path: 'spec.labels', expression: '{"from": self.spec.secretName}' } },
      ],
      object,
      { metadata: { name: 'other' } },
    );
    expect(out.spec).toMatchObject({
      replicas: 6,
      names: ['web', 'other'],
      ratio: 0.25,
      labels: { from: 'db-creds' },
    });
  });

  it('applies CEL to every list element with [*]', () => {
    const out = run(
      [{ cel: { path: 'spec.items[*].x', expression: 'value == null ? "none" : value + "!"' } }],
      object,
    );
    expect(out.spec).toMatchObject({ items: [{ x: 'a!' }, { x: 'b!' }, { y: 1, x: 'none' }] });
  });

  it('reports compile problems with field paths', () => {
    expect(problemOf({})).toBe(
      'spec.mutation.spec[0]: exactly one of delete, regex, template or cel must be set, but none is',
    );
    expect(problemOf({ delete: { path: 'a' }, cel: { path: 'a', expression: '1' } })).toBe(
      'spec.mutation.spec[0]: exactly one of delete, regex, template or cel must be set, but delete and cel are',
    );
    expect(problemOf({ delete: { path: '.spec' } })).toBe(
      'spec.mutation.spec[0].delete.path: path ".spec" must not start with "." (write spec.x, not .spec.x)',
    );
    expect(problemOf({ regex: { path: 'a', pattern: '(' } })).toMatch(
      /^spec\.mutation\.spec\[0\]\.regex\.pattern: invalid pattern "\(": /,
    );
    expect(problemOf({ template: { path: 'a', template: '{{ .X | nope }}' } })).toMatch(
      /^spec\.mutation\.spec\[0\]\.template\.template: template does not parse: function "nope" is not supported/,
    );
    expect(problemOf({ cel: { path: 'a', expression: '1 +' } })).toBe(
      'spec.mutation.spec[0].cel.expression: does not compile: <input>:1:3: found + but expecting end of input',
    );
    expect(problemOf({ cel: { path: 'a', expression: 'object.x + value' } })).toBe(
      'spec.mutation.spec[0].cel.expression: does not compile: undeclared reference to "object" (the variables are value, self and other)',
    );
    expect(() =>
      compileMutation(
        { cel: { path: 'a', expression: 'self.items.map(i, i.x).filter(x, type(x) == string)' } },
        'p',
      ),
    ).not.toThrow();
    expect(problemOf({ cel: { path: 'a', expression: 'self.items.map(i, j)' } })).toBe(
      'spec.mutation.spec[0].cel.expression: does not compile: undeclared reference to "j" (the variables are value, self and other)',
    );
  });

  it('reports evaluation problems with the step and the element', () => {
    expect(() => run([{ cel: { path: 'spec.items[*].x', expression: 'value.size()' } }], object)).toThrow(
      /^spec\.mutation\.spec\[0\]\.cel: at spec\.items\[2\]\.x: evaluation failed: /,
    );
    expect(() => run([{ cel: { path: 'spec.x', expression: 'b"bytes"' } }], object)).toThrow(
      'spec.mutation.spec[0].cel: at spec.x: the result is not a JSON value (bytes, a type, a timestamp or a message)',
    );
    expect(() =>
      run([{ template: { path: 'spec.x', template: '{{ .Value.String | sha3short 0 }}' } }], object),
    ).toThrow(
      'spec.mutation.spec[0].template: at spec.x: executing "{{ .Value.String | sha3short 0 }}": sha3short: invalid length 0',
    );
  });
});
