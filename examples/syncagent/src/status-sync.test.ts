import { describe, expect, it } from 'vitest';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { hasStatusSubresource, planStatusSync } from './status-sync.ts';

describe('status back-sync', () => {
  const crd: CustomResourceDefinition = {
    metadata: { name: 'things.example.com' },
    spec: {
      group: 'example.com',
      names: { plural: 'things', kind: 'Thing' },
      scope: 'Namespaced',
      versions: [
        { name: 'v1', served: true, storage: true, subresources: { status: {} } },
        { name: 'v2', served: true, storage: false },
      ],
    },
  };

  it('needs a status subresource on the CRD version', () => {
    expect(hasStatusSubresource(crd, 'v1')).toBe(true);
    expect(hasStatusSubresource(crd, 'v2')).toBe(false);
    expect(hasStatusSubresource(crd, 'v3')).toBe(false);
  });

  it('copies the local status up only when it differs', () => {
    const remote = {
      metadata: { name: 'a', resourceVersion: '7' },
      spec: { x: 1 },
      status: { ready: false },
    };
    const local = { metadata: { name: 'b' }, spec: { x: 2 }, status: { ready: true } };
    expect(planStatusSync(remote, local)).toEqual({
      kind: 'update',
      object: { metadata: { name: 'a', resourceVersion: '7' }, spec: { x: 1 }, status: { ready: true } },
    });
    const sameStatus = { ...local, status: { ready: false } };
    expect(planStatusSync(remote, sameStatus)).toEqual({ kind: 'in-sync' });
    expect(planStatusSync({ metadata: {} }, { metadata: {} })).toEqual({ kind: 'in-sync' });
    expect(planStatusSync(remote, { metadata: {} })).toEqual({
      kind: 'update',
      object: { metadata: remote.metadata, spec: { x: 1 } },
    });
  });
});
