import type { Source, SourceEngagement, StartedSource } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import { wakeOnly } from './wake-only-source.ts';

describe('wakeOnly', () => {
  it('starts the watch but never holds requests back, and still reports its error', async () => {
    const notServed = new Error('the server does not serve resource "clusters"');
    let started = 0;
    const source: Source = {
      description: 'Cluster (postgresql.cnpg.io/v1)',
      start(): StartedSource {
        started++;
        return {
          hasSynced: false,
          waitForSync: () => new Promise(() => {}),
          lastError: notServed,
        };
      },
    };
    const wrapped = wakeOnly(source).start({} as SourceEngagement);
    expect(started).toBe(1);
    expect(wrapped.hasSynced).toBe(true);
    await expect(wrapped.waitForSync({})).resolves.toBeUndefined();
    expect(wrapped.lastError).toBe(notServed);
    expect(wakeOnly(source).description).toBe('Cluster (postgresql.cnpg.io/v1) (wake-up only)');
  });
});
