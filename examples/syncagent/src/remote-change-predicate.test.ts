import type { KubeObject } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import { remoteChangePredicate } from './remote-change-predicate.ts';

const base: KubeObject & { spec: unknown; status?: unknown } = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'kcp', namespace: 'default', resourceVersion: '1' },
  spec: { instances: 1 },
};
const update = (next: Record<string, unknown>): boolean | undefined =>
  remoteChangePredicate().update?.(base, { ...base, ...next });

describe('remoteChangePredicate', () => {
  it("drops the agent's own status writes and finalizer patches", () => {
    expect(update({ status: { phase: 'ready' }, metadata: { ...base.metadata, resourceVersion: '2' } })).toBe(
      false,
    );
    expect(
      update({
        metadata: { ...base.metadata, resourceVersion: '2', finalizers: ['syncagent.kcp.io/cleanup'] },
      }),
    ).toBe(false);
  });

  it('ignores the related-resources hint annotations, not other annotations', () => {
    expect(
      update({
        metadata: {
          ...base.metadata,
          annotations: { 'related-resources.syncagent.kcp.io/app-credentials.0': '{}' },
        },
      }),
    ).toBe(false);
    expect(update({ metadata: { ...base.metadata, annotations: { note: 'mine' } } })).toBe(true);
  });

  it('passes spec, label and deletion changes', () => {
    expect(update({ spec: { instances: 3 } })).toBe(true);
    expect(update({ metadata: { ...base.metadata, labels: { tier: 'gold' } } })).toBe(true);
    expect(update({ metadata: { ...base.metadata, deletionTimestamp: '2026-12-02T01:00:00Z' } })).toBe(true);
  });
});
