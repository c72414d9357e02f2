import type { CustomResourceDefinition } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import { apiResourceSchemaFromCrd } from './api-exports.ts';

const crd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.io' },
  spec: {
    group: 'example.io',
    names: { plural: 'gadgets', kind: 'Gadget' },
    scope: 'Cluster',
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
      { name: 'v2', served: true, storage: false },
    ],
  },
};

describe('apiResourceSchemaFromCrd', () => {
  it('converts with the given prefix; a version without a schema accepts any object', () => {
    expect(apiResourceSchemaFromCrd(crd, 'v20260301')).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIResourceSchema',
      metadata: { name: 'v20260301.gadgets.example.io' },
      spec: {
        group: 'example.io',
        names: { plural: 'gadgets', kind: 'Gadget' },
        scope: 'Cluster',
        versions: [
          { name: 'v1', served: true, storage: true, schema: { type: 'object' } },
          {
            name: 'v2',
            served: true,
            storage: false,
            schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        ],
        conversion: { strategy: 'None' },
      },
    });
  });

  it('refuses a prefix kcp would not accept in a name', () => {
    expect(() => apiResourceSchemaFromCrd(crd, 'V1')).toThrow(
      'APIResourceSchema prefix "V1" must be a lower-case DNS label (e.g. v1 or today\'s date)',
    );
  });
});
