import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../client/builtins.ts';
import { isEmptyPatch, mergeFrom } from './merge-from.ts';
import type { Widget } from './widget.test.support.ts';

describe('mergeFrom', () => {
  const before: Widget = {
    metadata: { name: 'w', resourceVersion: '7', labels: { app: 'shop', tier: 'web' } },
    spec: { size: 1, color: 'blue' },
  };

  it('holds changed and added fields, removed ones as null, and nothing that stayed', () => {
    const after: Widget = {
      metadata: { name: 'w', resourceVersion: '7', labels: { app: 'shop', team: 'a' } },
      spec: { size: 2, color: 'blue' },
    };
    expect(mergeFrom(before, after)).toEqual({
      metadata: { labels: { tier: null, team: 'a' } },
      spec: { size: 2 },
    });
  });

  it('replaces arrays whole, as RFC 7386 does', () => {
    const a: ConfigMap = { metadata: { name: 'c', finalizers: ['a', 'b'] } };
    const b: ConfigMap = { metadata: { name: 'c', finalizers: ['a'] } };
    expect(mergeFrom(a, b)).toEqual({ metadata: { finalizers: ['a'] } });
  });

  it('is empty when nothing changed, and carries the resourceVersion read with optimisticLock', () => {
    const same = structuredClone(before);
    expect(isEmptyPatch(mergeFrom(before, same))).toBe(true);
    expect(mergeFrom(before, same, { optimisticLock: true })).toEqual({ metadata: { resourceVersion: '7' } });
    const bigger = { ...same, spec: { ...same.spec, size: 5 } };
    expect(mergeFrom(before, bigger, { optimisticLock: true })).toEqual({
      metadata: { resourceVersion: '7' },
      spec: { size: 5 },
    });
  });

  it('treats a field set to undefined as removed and a class instance like its plain JSON', () => {
    class Spec {
      size = 1;
      color = 'blue';
    }
    const after: Widget = { metadata: structuredClone(before.metadata ?? {}), spec: new Spec() };
    expect(mergeFrom(before, after)).toEqual({});
    const cleared = { ...before, spec: { size: 1, color: undefined } } as unknown as Widget;
    expect(mergeFrom(before, cleared)).toEqual({
      spec: { color: null },
    });
  });
});
