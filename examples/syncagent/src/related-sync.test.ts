import { describe, expect, it } from 'vitest';
import { relatedHintsPatch } from './related-sync.ts';

const hint = '{"namespace":"default","name":"kcp-app","apiVersion":"v1","kind":"Secret"}';
const primary = (annotations?: Record<string, string>) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'kcp', namespace: 'default', ...(annotations ? { annotations } : {}) },
});

describe('relatedHintsPatch', () => {
  it('adds the hint annotations, then is a no-op, and removes stale ones while keeping the user’s', () => {
    const key = 'related-resources.syncagent.kcp.io/app-credentials.0';
    expect(relatedHintsPatch(primary(), { [key]: hint })).toEqual({
      metadata: { annotations: { [key]: hint } },
    });
    expect(relatedHintsPatch(primary({ [key]: hint, note: 'mine' }), { [key]: hint })).toBeUndefined();
    expect(
      relatedHintsPatch(
        primary({ [key]: hint, 'related-resources.syncagent.kcp.io/app-credentials.1': '{}', note: 'mine' }),
        { [key]: hint },
      ),
    ).toEqual({
      metadata: { annotations: { 'related-resources.syncagent.kcp.io/app-credentials.1': null } },
    });
    expect(relatedHintsPatch(primary({ note: 'mine' }), {})).toBeUndefined();
  });
});
