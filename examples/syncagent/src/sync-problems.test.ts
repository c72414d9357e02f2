import { describe, expect, it } from 'vitest';
import type { PublishedResource } from './published-resource.ts';
import { type SyncProblem, syncProblemsPatch } from './sync-problems.ts';

const ready = {
  type: 'Ready',
  status: 'True' as const,
  reason: 'Published',
  message: 'published as APIResourceSchema v1.widgets.e2e.kubeloom.dev',
  lastTransitionTime: '2026-12-01T00:00:00Z',
  observedGeneration: 3,
};
const pr = (conditions: unknown[] = [ready]): PublishedResource => ({
  metadata: { name: 'publish-widgets', generation: 3 },
  spec: { resource: { apiGroup: 'e2e.kubeloom.dev', kind: 'Widget' } },
  status: { conditions } as NonNullable<PublishedResource['status']>,
});
const at = new Date('2026-12-02T01:00:00.123Z');
const missing: SyncProblem = {
  type: 'StatusSubresourceMissing',
  message:
    'spec.related[0] ("credentials"): syncStatus is set, but secrets has no status subresource; its status is not synced (remove syncStatus, or give the CRD a status subresource)',
};

describe('syncProblemsPatch', () => {
  it('adds a condition per problem next to Ready, raises it once, and removes it when solved', () => {
    const first = syncProblemsPatch(pr(), [missing], at);
    const condition = {
      type: 'StatusSubresourceMissing',
      status: 'True',
      reason: 'StatusSubresourceMissing',
      message: missing.message,
      lastTransitionTime: '2026-12-02T01:00:00Z',
      observedGeneration: 3,
    };
    expect(first).toEqual({ patch: { status: { conditions: [ready, condition] } }, raised: [missing] });
    expect(syncProblemsPatch(pr([ready, condition]), [missing], at)).toBeUndefined();
    expect(syncProblemsPatch(pr([ready, condition]), [], at)).toEqual({
      patch: { status: { conditions: [ready] } },
      raised: [],
    });
    expect(syncProblemsPatch(pr(), [], at)).toBeUndefined();
  });

  it('joins several problems of one type into one condition', () => {
    const second: SyncProblem = { type: 'StatusSubresourceMissing', message: 'spec.related[1] ("b"): x' };
    const change = syncProblemsPatch(pr([]), [missing, second], at);
    expect(change?.patch).toMatchObject({
      status: {
        conditions: [{ type: 'StatusSubresourceMissing', message: `${missing.message}; ${second.message}` }],
      },
    });
  });
});
