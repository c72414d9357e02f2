import { silentLogger } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

describe('examples/controllers', () => {
  it('keeps a token Secret per labelled ConfigMap in both clusters and reports conditions', async () => {
    const lines: string[] = [];
    const outcome = await main({ print: (line) => lines.push(line), logger: silentLogger });

    expect(outcome.ready['shop|default/api']).toMatchObject({ status: 'True', reason: 'TokenSecretReady' });
    expect(outcome.ready['blog|default/feed']).toMatchObject({ status: 'True', reason: 'TokenSecretReady' });
    expect(outcome.ready['blog|default/broken']).toMatchObject({
      status: 'False',
      reason: 'InvalidTokenBytes',
    });
    // Only labelled ConfigMaps, each under the name of the cluster it lives in.
    expect([...new Set(outcome.reconciled)].toSorted()).toEqual([
      'blog|default/broken',
      'blog|default/feed',
      'shop|default/api',
    ]);
    expect(outcome.secretRecreated).toBe(true);
    expect(outcome.events.shop).toEqual(['api TokenSecretWritten']);
    expect(outcome.events.blog).toEqual(['broken InvalidTokenBytes', 'feed TokenSecretWritten']);
    expect(outcome.readyz).toBe(200);
    expect(outcome.reconcileTotal.success).toBeGreaterThanOrEqual(3);
    // The invalid ConfigMap failed terminally: counted as an error, not retried in a loop.
    expect(outcome.reconcileTotal.error).toBeGreaterThanOrEqual(1);
    expect(outcome.reconcileTotal.error).toBeLessThanOrEqual(3);
    expect(lines).toContain(
      'shop|default/api: Ready=True (TokenSecretReady) Secret api-token holds the token',
    );
  });
});
