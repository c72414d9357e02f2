import { describe, expect, it } from 'vitest';
import {
  type Condition,
  getCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
} from './conditions.ts';

const t0 = new Date('2026-01-01T10:00:00.123Z');
const t1 = new Date('2026-01-01T10:05:00.000Z');

describe('conditions', () => {
  it('adds a new condition with the transition time in Kubernetes format', () => {
    const next = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Provisioning' }, 3, t0);
    expect(next).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Provisioning',
        message: '',
        lastTransitionTime: '2026-01-01T10:00:00Z',
        observedGeneration: 3,
      },
    ]);
  });

  it('keeps the transition time when only reason, message or generation change', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Provisioning' }, 1, t0);
    const second = setCondition(
      first,
      { type: 'Ready', status: 'False', reason: 'Waiting', message: 'db' },
      2,
      t1,
    );
    expect(second).not.toBe(first);
    expect(getCondition(second, 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Waiting',
      message: 'db',
      lastTransitionTime: '2026-01-01T10:00:00Z',
      observedGeneration: 2,
    });
    expect(first[0]?.reason).toBe('Provisioning');
  });

  it('moves the transition time when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Provisioning' }, undefined, t0);
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'Available' }, undefined, t1);
    expect(getCondition(second, 'Ready')?.lastTransitionTime).toBe('2026-01-01T10:05:00Z');
    expect(isConditionTrue(second, 'Ready')).toBe(true);
    expect(isConditionTrue(first, 'Ready')).toBe(false);
  });

  it('returns the same array when nothing changed, so callers can skip the status write', () => {
    const first = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Available', message: 'ok' },
      1,
      t0,
    );
    expect(
      setCondition(first, { type: 'Ready', status: 'True', reason: 'Available', message: 'ok' }, 1, t1),
    ).toBe(first);
  });

  it('leaves other conditions alone and removes by type', () => {
    const other: Condition = {
      type: 'Degraded',
      status: 'False',
      reason: 'AsExpected',
      message: '',
      lastTransitionTime: 'x',
    };
    const next = setCondition(
      [other],
      { type: 'Ready', status: 'Unknown', reason: 'Pending' },
      undefined,
      t0,
    );
    expect(next.map((c) => c.type)).toEqual(['Degraded', 'Ready']);
    expect(next[0]).toBe(other);
    expect(removeCondition(next, 'Degraded').map((c) => c.type)).toEqual(['Ready']);
    expect(removeCondition(next, 'Missing')).toBe(next);
    expect(isConditionTrue(undefined, 'Ready')).toBe(false);
  });

  it('rejects reasons and statuses the API server would reject', () => {
    expect(() => setCondition([], { type: 'Ready', status: 'True', reason: 'not ok' })).toThrow(
      /reason "not ok" is invalid/,
    );
    expect(() => setCondition([], { type: 'Ready', status: 'True', reason: '' })).toThrow(/is invalid/);
    expect(() => setCondition([], { type: 'Ready', status: 'true' as 'True', reason: 'Ok' })).toThrow(
      /True, False or Unknown/,
    );
  });
});
