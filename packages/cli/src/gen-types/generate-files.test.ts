import { describe, expect, it } from 'vitest';
import { generateFiles } from './generate-files.ts';
import type { ResourceSchema } from './resource-schema.ts';

/** A Widget whose object schema is `schema`, as a server's OpenAPI v3 would publish it. */
function widget(schema: unknown): ResourceSchema {
  return {
    group: 'example.io',
    version: 'v1',
    kind: 'Widget',
    plural: 'widgets',
    namespaced: true,
    statusSubresource: false,
    schema,
    origin: "the cluster's /openapi/v3/apis/example.io/v1",
    schemaPath: 'components.schemas["io.example.v1.Widget"]',
    source: "the cluster's OpenAPI v3",
  };
}

/** A Widget whose `spec` has these properties. */
function widgetWithSpec(properties: Record<string, unknown>): ResourceSchema {
  return widget({ type: 'object', properties: { spec: { type: 'object', properties } } });
}

/** A label selector whose expressions' key has the TSDoc `keyDoc`, and whose name may carry a pattern. */
function selector(keyDoc: string, pattern?: string): Record<string, unknown> {
  return {
    type: 'object',
    description: 'differs per field, shown on the field',
    properties: {
      matchExpressions: {
        type: 'array',
        items: { type: 'object', properties: { key: { type: 'string', description: keyDoc } } },
      },
      name: { type: 'string', ...(pattern ? { pattern } : {}) },
    },
  };
}

/** Widget `version`: a spec with the same selector in every version and a size whose TSDoc is `sizeDoc`. */
function widgetVersion(version: string, sizeDoc: string): ResourceSchema {
  return {
    ...widgetWithSpec({
      selector: selector('the label key'),
      size: { type: 'object', properties: { count: { type: 'integer', description: sizeDoc } } },
    }),
    version,
  };
}

describe('generateFiles', () => {
  it('keeps names apart, quotes keys that are not identifiers and escapes comment ends', () => {
    const [file] = generateFiles([
      widgetWithSpec({
        foo_bar: { type: 'object', properties: { a: { type: 'string' } } },
        fooBar: { type: 'object', properties: { b: { type: 'string' } } },
        'x-tag': { type: 'string', description: 'ends a comment */ here' },
        template: {
          type: 'object',
          properties: {
            metadata: {
              allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
            },
          },
        },
      }),
    ]);
    expect(file?.content).toContain(`export interface WidgetSpec {
  fooBar?: WidgetSpecFooBar;
  foo_bar?: WidgetSpecFooBar2;
  template?: WidgetSpecTemplate;
  /**
   * ends a comment *\\/ here
   */
  'x-tag'?: string;
}`);
    expect(file?.content).toContain(`export interface WidgetSpecTemplate {
  metadata?: ObjectMeta;
}`);
  });

  it('declares a nested object once when another has the same fields, and keeps the other name as an alias', () => {
    const [file] = generateFiles([
      widgetWithSpec({
        labelSelector: selector('the label key'),
        // Differs only where types do not show (a pattern validates values).
        namespaceSelector: selector('the label key', '^[a-z]+$'),
        // Differs in its TSDoc: a type of its own.
        podSelector: selector('the pod label key'),
      }),
    ]);
    const content = file?.content ?? '';
    expect(content).toContain(`/**
 * The \`.spec.namespaceSelector\` field of a {@link Widget}: the same fields as {@link WidgetSpecLabelSelector}.
 */
export type WidgetSpecNamespaceSelector = WidgetSpecLabelSelector;`);
    expect(content).toContain(
      'export type WidgetSpecNamespaceSelectorMatchExpressionsItem = WidgetSpecLabelSelectorMatchExpressionsItem;',
    );
    expect(content).toContain('export interface WidgetSpecPodSelector {');
    expect(content).toContain('export interface WidgetSpecPodSelectorMatchExpressionsItem {');
    expect(content.match(/^export interface WidgetSpec\w*Selector /gm)).toHaveLength(2);
  });

  it("declares a nested object several versions share once, in the group's shared module", () => {
    const files = generateFiles([
      widgetVersion('v1', 'how many'),
      widgetVersion('v1alpha1', 'how many, roughly'),
    ]);
    expect(files.map((f) => f.fileName)).toEqual([
      'example.io_shared.ts',
      'example.io_v1.ts',
      'example.io_v1alpha1.ts',
    ]);
    const content = (name: string): string => files.find((f) => f.fileName === name)?.content ?? '';
    expect(content('example.io_shared.ts')).toContain(`/**
 * The \`.spec.selector\` field of a Widget (example.io/v1), and of its twins in other versions.
 */
export interface WidgetSpecSelector {`);
    expect(content('example.io_shared.ts')).toContain(
      'export interface WidgetSpecSelectorMatchExpressionsItem {',
    );
    for (const file of ['example.io_v1.ts', 'example.io_v1alpha1.ts']) {
      expect(content(file)).toContain("import type { WidgetSpecSelector } from './example.io_shared.ts';");
      expect(content(file)).toContain(`export type {
  WidgetSpecSelector, WidgetSpecSelectorMatchExpressionsItem,
} from './example.io_shared.ts';`);
      expect(content(file)).toContain('  selector?: WidgetSpecSelector;');
      // Not the same in both versions: each declares its own.
      expect(content(file)).toContain('export interface WidgetSpecSize {');
    }
    expect(content('example.io_shared.ts').split('\n')[0]).toBe(
      "// Code generated by kubeloom gen types from the cluster's OpenAPI v3. DO NOT EDIT.",
    );
  });

  it('reports references it cannot follow and objects with both properties and additionalProperties', () => {
    expect(() =>
      generateFiles([
        widget({
          type: 'object',
          properties: {
            spec: { $ref: '#/components/schemas/io.example.v1.WidgetSpec' },
            status: {
              type: 'object',
              properties: { a: { type: 'string' } },
              additionalProperties: { type: 'string' },
            },
          },
        }),
      ]),
    ).toThrow(`kubeloom gen types: 2 problems:
  the cluster's /openapi/v3/apis/example.io/v1: components.schemas["io.example.v1.Widget"].properties.spec: $ref "#/components/schemas/io.example.v1.WidgetSpec" is not supported; gen types reads self-contained schemas (as CRDs and APIResourceSchemas have)
  the cluster's /openapi/v3/apis/example.io/v1: components.schemas["io.example.v1.Widget"].properties.status.additionalProperties: properties and additionalProperties cannot both be set (a structural schema has one or the other)`);
  });

  it('reports a kind defined twice', () => {
    expect(() =>
      generateFiles([
        widget({ type: 'object' }),
        { ...widget({ type: 'object' }), origin: 'b.yaml, document 1 (line 1)' },
      ]),
    ).toThrow(
      `kubeloom gen types: b.yaml, document 1 (line 1): Widget example.io/v1 is also defined in the cluster's /openapi/v3/apis/example.io/v1; give each kind once`,
    );
  });
});
