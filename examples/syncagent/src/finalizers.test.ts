import { describe, expect, it } from 'vitest';
import { cleanupFinalizerPatch } from './finalizers.ts';

describe('cleanupFinalizerPatch', () => {
  it('adds and removes the finalizer, keeping others sorted, with the resourceVersion', () => {
    const object = { metadata: { name: 'a', resourceVersion: '5', finalizers: ['z.io/x', 'a.io/y'] } };
    expect(cleanupFinalizerPatch(object, true)).toEqual({
      metadata: { finalizers: ['a.io/y', 'syncagent.kcp.io/cleanup', 'z.io/x'], resourceVersion: '5' },
    });
    expect(cleanupFinalizerPatch(object, false)).toBeUndefined();
    const withIt = { metadata: { name: 'a', finalizers: ['syncagent.kcp.io/cleanup'] } };
    expect(cleanupFinalizerPatch(withIt, true)).toBeUndefined();
    expect(cleanupFinalizerPatch(withIt, false)).toEqual({ metadata: { finalizers: [] } });
  });
});
