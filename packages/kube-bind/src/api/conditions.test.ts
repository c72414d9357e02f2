import { describe, expect, it } from 'vitest';
import { findCondition, sameConditions, setCondition, setReadySummary } from './conditions.ts';

describe('kube-bind conditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');

  it('keeps the transition time while the status stays, and moves it when the status changes', () => {
    const first = setCondition([], { type: 'Connected', status: 'True' }, t0);
    const same = setCondition(first, { type: 'Connected', status: 'True', reason: 'Again' }, t1);
    expect(findCondition(same, 'Connected')?.lastTransitionTime).toBe('2026-01-01T00:00:00.000Z');
    const changed = setCondition(same, { type: 'Connected', status: 'False', reason: 'Lost' }, t1);
    expect(findCondition(changed, 'Connected')).toEqual({
      type: 'Connected',
      status: 'False',
      reason: 'Lost',
      lastTransitionTime: '2026-01-01T00:05:00.000Z',
    });
    expect(changed).toHaveLength(1);
  });

  it('summarises Ready from the first False condition, True when all are True, Unknown otherwise', () => {
    let list = setCondition([], { type: 'A', status: 'True' }, t0);
    list = setCondition(list, { type: 'B', status: 'False', reason: 'Broken', message: 'b is broken' }, t0);
    expect(findCondition(setReadySummary(list, ['A', 'B'], t0), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Broken',
      message: 'b is broken',
      severity: 'Error',
    });
    list = setCondition(list, { type: 'B', status: 'True' }, t0);
    expect(findCondition(setReadySummary(list, ['A', 'B'], t0), 'Ready')?.status).toBe('True');
    expect(findCondition(setReadySummary(list, ['A', 'B', 'C'], t0), 'Ready')?.status).toBe('Unknown');
  });

  it('compares condition lists regardless of order', () => {
    const a = setCondition(
      setCondition([], { type: 'A', status: 'True' }, t0),
      { type: 'B', status: 'True' },
      t0,
    );
    expect(sameConditions(a, a.toReversed())).toBe(true);
    expect(sameConditions(a, a.slice(1))).toBe(false);
  });
});
