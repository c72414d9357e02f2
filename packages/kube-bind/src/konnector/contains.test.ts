import { describe, expect, it } from 'vitest';
import { contains } from './contains.ts';
import { formatGoDuration } from './go-duration.ts';

describe('contains', () => {
  it('ignores fields the server added, but not changed or missing ones', () => {
    expect(contains({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toBe(true);
    expect(contains({ a: 1, b: { c: 2 } }, { b: { c: 3 } })).toBe(false);
    expect(contains({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(contains({ a: [{ x: 1, y: 2 }] }, { a: [{ x: 1 }] })).toBe(true);
    expect(contains({}, { a: null })).toBe(false);
  });
});

describe('formatGoDuration', () => {
  it('writes durations as Go prints them', () => {
    expect(formatGoDuration(300_000)).toBe('5m0s');
    expect(formatGoDuration(4_000)).toBe('4s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
  });
});
