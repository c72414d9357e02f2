import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../client/builtins.ts';
import {
  annotationsChanged,
  generationChanged,
  labelsChanged,
  resourceVersionChanged,
} from './changed-predicates.ts';
import { and, not, or } from './combinators.ts';
import {
  allowCreate,
  allowDelete,
  allowGeneric,
  allowUpdate,
  type Predicate,
  predicateFn,
} from './predicate.ts';

const cm = (meta: ConfigMap['metadata'] = {}): ConfigMap => ({
  metadata: { name: 'x', namespace: 'default', ...meta },
});

/** What a predicate answers for each kind of event, the update going from `before` to `after`. */
function answers(p: Predicate<ConfigMap>, before: ConfigMap, after: ConfigMap) {
  return {
    create: allowCreate([p], after),
    update: allowUpdate([p], before, after),
    delete: allowDelete([p], after),
    generic: allowGeneric([p], after),
  };
}

const allPass = { create: true, update: true, delete: true, generic: true };
const onlyUpdateBlocked = { create: true, update: false, delete: true, generic: true };

describe('change predicates', () => {
  it('generationChanged passes spec changes and drops status-only updates', () => {
    expect(answers(generationChanged(), cm({ generation: 1 }), cm({ generation: 2 }))).toEqual(allPass);
    expect(answers(generationChanged(), cm({ generation: 2 }), cm({ generation: 2 }))).toEqual(
      onlyUpdateBlocked,
    );
  });

  it('labelsChanged compares label maps, treating missing as empty', () => {
    expect(answers(labelsChanged(), cm({ labels: { a: '1' } }), cm({ labels: { a: '2' } }))).toEqual(allPass);
    expect(answers(labelsChanged(), cm({ labels: { a: '1' } }), cm({ labels: { a: '1' } }))).toEqual(
      onlyUpdateBlocked,
    );
    expect(answers(labelsChanged(), cm(), cm({ labels: {} }))).toEqual(onlyUpdateBlocked);
  });

  it('annotationsChanged compares annotation maps', () => {
    expect(answers(annotationsChanged(), cm(), cm({ annotations: { note: 'x' } }))).toEqual(allPass);
    expect(
      answers(annotationsChanged(), cm({ annotations: { n: 'x' } }), cm({ annotations: { n: 'x' } })),
    ).toEqual(onlyUpdateBlocked);
  });

  it('resourceVersionChanged drops re-deliveries of the same version', () => {
    expect(
      answers(resourceVersionChanged(), cm({ resourceVersion: '1' }), cm({ resourceVersion: '2' })),
    ).toEqual(allPass);
    expect(
      answers(resourceVersionChanged(), cm({ resourceVersion: '2' }), cm({ resourceVersion: '2' })),
    ).toEqual(onlyUpdateBlocked);
  });
});

describe('predicateFn', () => {
  it('applies one test to every kind of event, to the new object on update', () => {
    const isShop = predicateFn<ConfigMap>((o) => o.metadata?.labels?.app === 'shop');
    const shop = cm({ labels: { app: 'shop' } });
    const blog = cm({ labels: { app: 'blog' } });
    expect(answers(isShop, blog, shop)).toEqual(allPass);
    expect(answers(isShop, shop, blog)).toEqual({
      create: false,
      update: false,
      delete: false,
      generic: false,
    });
  });
});

describe('combinators', () => {
  const spec = (gen: number): ConfigMap => cm({ generation: gen, labels: { v: String(gen) } });
  const statusOnly = [
    cm({ generation: 1, labels: { v: '1' } }),
    cm({ generation: 1, labels: { v: '1' } }),
  ] as const;
  const labelOnly = [
    cm({ generation: 1, labels: { v: '1' } }),
    cm({ generation: 1, labels: { v: '2' } }),
  ] as const;

  it('and needs every predicate', () => {
    const p = and<ConfigMap>(generationChanged(), labelsChanged());
    expect(allowUpdate([p], spec(1), spec(2))).toBe(true);
    expect(allowUpdate([p], ...labelOnly)).toBe(false);
    expect(allowCreate([p], spec(1))).toBe(true);
  });

  it('or needs any predicate, and nothing passes an empty or', () => {
    const p = or<ConfigMap>(generationChanged(), labelsChanged());
    expect(allowUpdate([p], ...labelOnly)).toBe(true);
    expect(allowUpdate([p], ...statusOnly)).toBe(false);
    expect(answers(or<ConfigMap>(), spec(1), spec(2))).toEqual({
      create: false,
      update: false,
      delete: false,
      generic: false,
    });
  });

  it('not inverts every kind of event, including the ones the predicate lets through by default', () => {
    const p = not<ConfigMap>(generationChanged());
    expect(allowUpdate([p], ...statusOnly)).toBe(true);
    expect(allowUpdate([p], spec(1), spec(2))).toBe(false);
    expect(allowCreate([p], spec(1))).toBe(false);
    expect(allowDelete([p], spec(1))).toBe(false);
  });

  it('several predicates in a list must all agree', () => {
    const preds = [generationChanged<ConfigMap>(), predicateFn<ConfigMap>((o) => o.metadata?.name === 'x')];
    expect(allowUpdate(preds, spec(1), spec(2))).toBe(true);
    expect(allowUpdate(preds, spec(1), { ...spec(2), metadata: { ...spec(2).metadata, name: 'y' } })).toBe(
      false,
    );
  });
});
