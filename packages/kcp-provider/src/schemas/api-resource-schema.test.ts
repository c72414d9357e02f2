import { describe, expect, it } from 'vitest';
import { apiExportFor } from './api-export-resources.ts';
import {
  apiResourceSchemaHashPrefix,
  apiResourceSchemaName,
  parseApiResourceSchemaName,
  toAPIResourceSchema,
} from './api-resource-schema.ts';
import type { CustomResourceDefinition } from './crd.ts';

const widgets: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.io' },
  spec: {
    group: 'example.io',
    names: { plural: 'widgets', kind: 'Widget' },
    scope: 'Namespaced',
    conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://convert' } } },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
      {
        name: 'v2',
        served: true,
        storage: false,
        schema: { openAPIV3Schema: { type: 'object' } },
        subresources: { status: {} },
      },
    ],
  },
};

describe('toAPIResourceSchema', () => {
  it('names the schema by content unless given a prefix, and drops the conversion webhook', () => {
    const prefix = apiResourceSchemaHashPrefix(widgets);
    expect(prefix).toMatch(/^v[0-9a-f]{8}$/);
    // The conversion is not part of the name: the same schemas served differently are the same schema.
    expect(
      apiResourceSchemaHashPrefix({
        ...widgets,
        spec: { ...widgets.spec, conversion: { strategy: 'None' } },
      }),
    ).toBe(prefix);
    expect(apiResourceSchemaName(widgets)).toBe(`${prefix}.widgets.example.io`);
    const schema = toAPIResourceSchema(widgets, { prefix: 'v1', labels: { team: 'a' } });
    expect(schema).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIResourceSchema',
      metadata: { name: 'v1.widgets.example.io', labels: { team: 'a' } },
      spec: {
        group: 'example.io',
        names: { plural: 'widgets', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1', served: true, storage: true, schema: { type: 'object' } },
          {
            name: 'v2',
            served: true,
            storage: false,
            schema: { type: 'object' },
            subresources: { status: {} },
          },
        ],
        conversion: { strategy: 'None' },
      },
    });
    expect(parseApiResourceSchemaName(schema.metadata.name ?? '')).toEqual({
      group: 'example.io',
      resource: 'widgets',
    });
  });

  it('builds an APIExport that exports the schemas from kcp storage', () => {
    expect(apiExportFor('widgets.example.io', [toAPIResourceSchema(widgets, { prefix: 'v1' })])).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: 'widgets.example.io' },
      spec: {
        resources: [
          { name: 'widgets', group: 'example.io', schema: 'v1.widgets.example.io', storage: { crd: {} } },
        ],
      },
    });
  });
});
