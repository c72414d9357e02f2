import { describe, expect, it } from 'vitest';
import {
  TemplateExecutionError,
  TemplateSyntaxError,
  parseGoTemplate,
  renderGoTemplate,
} from './go-template.ts';

const data = {
  ClusterName: 'lc1',
  Object: {
    metadata: { name: 'Web', labels: { 'app.kubernetes.io/name': 'shop' } },
    spec: { replicas: 3, tags: ['a', 'b'], on: true },
  },
};

describe('Go template subset', () => {
  it('renders text, fields and pipelines', () => {
    expect(renderGoTemplate('  {{ .ClusterName }}-{{ .Object.metadata.name | lower }}  ', data)).toBe(
      'lc1-web',
    );
    expect(renderGoTemplate('{{ .Object.metadata.name | sha3short 8 }}', data)).toBe(
      renderGoTemplate('{{ sha3short 8 "Web" }}', data),
    );
    expect(renderGoTemplate('{{ index .Object.metadata.labels "app.kubernetes.io/name" }}', data)).toBe(
      'shop',
    );
    expect(renderGoTemplate('{{ .Object.spec.missing | default "x" }}', data)).toBe('x');
    expect(renderGoTemplate('{{ "a.b.c" | replace "." "-" }}', data)).toBe('a-b-c');
    expect(renderGoTemplate('{{ trimPrefix "we" `web` }}', data)).toBe('b');
    expect(renderGoTemplate('{{ "abcdef" | trunc 3 }}|{{ "abcdef" | trunc -2 }}', data)).toBe('abc|ef');
  });

  it('prints values the way Go does', () => {
    expect(
      renderGoTemplate(
        '{{ .Object.spec.replicas }} {{ .Object.spec.on }} {{ .Object.spec.tags }} {{ .Object.spec.nope }}',
        data,
      ),
    ).toBe('3 true [a b] <no value>');
    expect(renderGoTemplate('{{ .Object.metadata.labels }}', data)).toBe('map[app.kubernetes.io/name:shop]');
  });

  it('trims around {{- and -}}', () => {
    expect(parseGoTemplate('a  {{- .ClusterName -}}  b').execute(data)).toBe('alc1b');
  });

  it('rejects constructs outside the subset with a clear error', () => {
    expect(() => parseGoTemplate('{{ if .X }}y{{ end }}')).toThrow(
      'the "if" action is not supported; only field values, literals and functions are (in {{ if .X }})',
    );
    expect(() => parseGoTemplate('{{ .X | toYaml }}')).toThrow(
      /^function "toYaml" is not supported \(supported: default, index, lower/,
    );
    expect(() => parseGoTemplate('{{ $x := 1 }}')).toThrow(
      'variables such as "$x" are not supported (in {{ $x := 1 }})',
    );
    expect(() => parseGoTemplate('{{ .X ')).toThrow('unclosed action starting at offset 0: missing "}}"');
    expect(() => parseGoTemplate('{{ }}')).toThrow('empty action {{ }}');
    expect(() => parseGoTemplate('{{ .A | .B }}')).toThrow(
      'cannot pipe into ".B", which is not a function, in {{ .A | .B }}',
    );
    expect(() => parseGoTemplate('{{ sha3short 1 2 3 }}')).toThrow(
      'wrong number of arguments for sha3short: got 3, want 1 to 2 (in {{ sha3short 1 2 3 }})',
    );
    expect(() => parseGoTemplate('{{ lower (upper .X) }}')).toThrow(TemplateSyntaxError);
  });

  it('fails at execution with the action and reason', () => {
    const t = parseGoTemplate('{{ .Object.spec.replicas | lower }}');
    expect(() => t.execute(data)).toThrow(TemplateExecutionError);
    expect(() => t.execute(data)).toThrow(
      'executing "{{ .Object.spec.replicas | lower }}": lower: argument 1 is an integer; expected a string',
    );
    expect(() => renderGoTemplate('{{ .Object.metadata.name.first }}', data)).toThrow(
      'executing "{{ .Object.metadata.name.first }}": cannot read .first of .Object.metadata.name, which is a string',
    );
    expect(renderGoTemplate('{{ .Nope.x }}', data)).toBe('<no value>');
    expect(() =>
      renderGoTemplate('{{ .Object.spec.nothing.x }}', { Object: { spec: { nothing: null } } }),
    ).toThrow(
      'executing "{{ .Object.spec.nothing.x }}": cannot read .x of .Object.spec.nothing, which is null',
    );
    expect(renderGoTemplate('{{ .Object.spec.nothing }}', { Object: { spec: { nothing: null } } })).toBe(
      '<no value>',
    );
  });
});
