import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIBinding } from '../apis/apis.ts';
import { BindingTracker, bindingServes } from './binding-tracker.ts';
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

/** A binding as kcp writes it on its first pass: export resolved, Ready False while its APIs are established. */
function comingUp(cluster: string, name: string): APIBinding {
  return {
    metadata: { name, annotations: { 'kcp.io/cluster': cluster } },
    spec: { reference: { export: { name: 'widgets' } } },
    status: {
      phase: 'Binding',
      apiExportClusterName: 'provider-cluster',
      conditions: [{ type: 'Ready', status: 'False', reason: 'WaitingForEstablished' }],
    },
  };
}

describe('bindingServes', () => {
  it('is true for a binding that just appeared, one coming up, and a Ready one', () => {
    expect(bindingServes({ ...comingUp('a', 'b'), status: {} })).toBe(true);
    expect(bindingServes(comingUp('a', 'b'))).toBe(true);
    expect(bindingServes(binding('a', 'b', true))).toBe(true);
  });

  it('is false for a binding kcp says failed', () => {
    const conflict = comingUp('a', 'b');
    conflict.status = {
      ...conflict.status,
      conditions: [{ type: 'Ready', status: 'False', reason: 'NamingConflicts' }],
    };
    expect(bindingServes(conflict)).toBe(false);
  });
});

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

  it('engages a workspace as soon as its binding appears, without waiting for Ready', () => {
    tracker.observe({ ...comingUp('a', 'b'), status: {} });
    expect(decisions).toEqual(['engage a']);
    tracker.observe(comingUp('a', 'b'));
    tracker.observe(binding('a', 'b', true));
    expect(decisions).toEqual(['engage a']);
  });

  it('disengages a workspace whose only binding fails while coming up, after the grace period', () => {
    tracker.observe(comingUp('a', 'b'));
    const conflict = comingUp('a', 'b');
    conflict.status = {
      ...conflict.status,
      conditions: [{ type: 'Ready', status: 'False', reason: 'NamingConflicts' }],
    };
    tracker.observe(conflict);
    vi.advanceTimersByTime(1_100);
    expect(decisions).toEqual(['engage a', 'disengage a: no APIBinding has been Ready for 1000 ms']);
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
