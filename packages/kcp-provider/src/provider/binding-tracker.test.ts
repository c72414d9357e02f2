import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIBinding } from '../apis/apis.ts';
import { BindingTracker } from './binding-tracker.ts';
import type { MissingPermissionClaim } from './permission-claims.ts';

const rejectedConfigMaps: MissingPermissionClaim[] = [
  { group: '', resource: 'configmaps', identityHash: '', reason: 'rejected' },
];

function binding(cluster: string, name: string, ready: boolean): APIBinding {
  return {
    metadata: { name, annotations: { 'kcp.io/cluster': cluster } },
    spec: { reference: { export: { name: 'widgets' } } },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('BindingTracker', () => {
  let decisions: string[];
  let tracker: BindingTracker;
  beforeEach(() => {
    vi.useFakeTimers();
    decisions = [];
    tracker = new BindingTracker(
      {
        engage: (c) => decisions.push(`engage ${c}`),
        disengage: (c, why) => decisions.push(`disengage ${c}: ${why}`),
      },
      { notReadyGraceMs: 1_000 },
    );
  });
  afterEach(() => vi.useRealTimers());

  it('engages on the first Ready binding, once', () => {
    tracker.observe(binding('a', 'b1', false));
    expect(decisions).toEqual([]);
    tracker.observe(binding('a', 'b1', true));
    tracker.observe(binding('a', 'b2', true));
    expect(decisions).toEqual(['engage a']);
    expect(tracker.isEngaged('a')).toBe(true);
  });

  it('disengages only when the last binding of the workspace is deleted', () => {
    tracker.observe(binding('a', 'b1', true));
    tracker.observe(binding('a', 'b2', true));
    tracker.forget(binding('a', 'b1', true));
    expect(decisions).toEqual(['engage a']);
    tracker.forget(binding('a', 'b2', true));
    expect(decisions).toEqual(['engage a', 'disengage a: its last APIBinding was deleted']);
  });

  it('disengages a workspace that stays not Ready past the grace period, and not one that recovers', () => {
    tracker.observe(binding('a', 'b', true));
    tracker.observe(binding('x', 'b', true));
    tracker.observe(binding('a', 'b', false));
    tracker.observe(binding('x', 'b', false));
    vi.advanceTimersByTime(500);
    tracker.observe(binding('x', 'b', true));
    vi.advanceTimersByTime(600);
    expect(decisions).toEqual([
      'engage a',
      'engage x',
      'disengage a: no APIBinding has been Ready for 1000 ms',
    ]);
    tracker.observe(binding('a', 'b', true));
    expect(decisions.at(-1)).toBe('engage a');
  });

  it('keeps not-Ready workspaces engaged when asked to', () => {
    tracker = new BindingTracker(
      { engage: (c) => decisions.push(`engage ${c}`), disengage: (c) => decisions.push(`disengage ${c}`) },
      { disengageWhenNotReady: false, notReadyGraceMs: 10 },
    );
    tracker.observe(binding('a', 'b', true));
    tracker.observe(binding('a', 'b', false));
    vi.advanceTimersByTime(1_000);
    expect(decisions).toEqual(['engage a']);
  });

  it('with engageOnlyWithRequiredClaims, holds back a Ready binding that misses claims, and drops it when one is rejected later', () => {
    tracker = new BindingTracker(
      {
        engage: (c) => decisions.push(`engage ${c}`),
        disengage: (c, why) => decisions.push(`disengage ${c}: ${why}`),
      },
      { engageOnlyWithRequiredClaims: true },
    );
    tracker.observe(binding('a', 'b', true), rejectedConfigMaps);
    expect(decisions).toEqual([]);
    tracker.observe(binding('a', 'b', true), []);
    expect(decisions).toEqual(['engage a']);
    tracker.observe(binding('a', 'b', true), rejectedConfigMaps);
    expect(decisions).toEqual([
      'engage a',
      'disengage a: its APIBinding no longer accepts permission claims the controllers need: configmaps.core (rejected)',
    ]);
  });

  it('without engageOnlyWithRequiredClaims, engages a Ready binding whatever its claims', () => {
    tracker.observe(binding('a', 'b', true), rejectedConfigMaps);
    expect(decisions).toEqual(['engage a']);
  });
});
