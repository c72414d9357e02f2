import { describe, expect, it } from 'vitest';
import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import type { BoundSchema } from '../api/boundschema.ts';
import { crdFromBoundSchema, isControlledBy } from './bound-crd.ts';

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
