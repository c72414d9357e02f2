import { describe, expect, it } from 'vitest';
import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import type { BoundSchema } from '../api/boundschema.ts';
import { apiResourceSchemaFromBoundSchema, boundApiName } from './bound-api-binding.ts';
import { crdFromBoundSchema, isControlledBy } from './bound-crd.ts';
import { isKcpMetadata } from './kcp-metadata.ts';

const binding: APIServiceBinding = {
  metadata: { name: 'widgets', uid: 'b-uid' },
  spec: { kubeconfigSecretRef: { namespace: 'kube-bind', name: 'k', key: 'kubeconfig' } },
};
const schema: BoundSchema = {
  metadata: { name: 'widgets.example.dev' },
  spec: {
    group: 'example.dev',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [
      { name: 'v1', served: true, storage: true, schema: { type: 'object' }, subresources: { status: {} } },
    ],
  },
};

describe('the consumer CRD of a BoundSchema', () => {
  it('is named <plural>.<group>, wraps the schema as openAPIV3Schema and is controlled by the binding', () => {
    const crd = crdFromBoundSchema(schema, binding);
    expect(crd.metadata?.name).toBe('widgets.example.dev');
    expect(crd.spec.versions[0]?.schema?.openAPIV3Schema).toEqual({ type: 'object' });
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(isControlledBy(crd, 'b-uid')).toBe(true);
    expect(isControlledBy(crd, 'other')).toBe(false);
  });
});

const schemaWith = (maximum: number): BoundSchema => ({
  ...schema,
  spec: {
    ...schema.spec,
    versions: schema.spec.versions.map((v) => ({
      ...v,
      schema: { type: 'object', properties: { size: { type: 'integer', maximum } } },
    })),
  },
});

describe('the APIResourceSchema of a BoundSchema, for a consumer kcp workspace', () => {
  it('keeps the schema as it is, is controlled by the binding, and is renamed when the schema changes', () => {
    const ars = apiResourceSchemaFromBoundSchema(schemaWith(10), binding);
    expect(ars.metadata.name).toMatch(/^kb[0-9a-f]{10}\.widgets\.example\.dev$/);
    expect(ars.spec.versions[0]?.schema).toEqual({
      type: 'object',
      properties: { size: { type: 'integer', maximum: 10 } },
    });
    expect(ars.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(ars.metadata.ownerReferences).toEqual([
      expect.objectContaining({ uid: 'b-uid', controller: true }),
    ]);
    expect(apiResourceSchemaFromBoundSchema(schemaWith(10), binding).metadata.name).toBe(ars.metadata.name);
    expect(apiResourceSchemaFromBoundSchema(schemaWith(20), binding).metadata.name).not.toBe(
      ars.metadata.name,
    );
    expect(boundApiName(schemaWith(10))).toBe('kube-bind.widgets.example.dev');
  });

  it('never copies kcp’s own metadata of an object', () => {
    expect(isKcpMetadata('kcp.io/cluster')).toBe(true);
    expect(isKcpMetadata('claimed.internal.apis.kcp.io/abc')).toBe(true);
    expect(isKcpMetadata('kube-bind.io/owner')).toBe(false);
  });
});
