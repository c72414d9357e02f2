import type { KubeObject } from '../client/object.ts';
import { allowCreate, allowDelete, allowGeneric, allowUpdate, type Predicate } from './predicate.ts';

/**
 * Lets an event through only if every predicate does: the same as passing several predicates to a watch,
 * but usable inside {@link or} and {@link not}.
 */
export function and<T extends KubeObject = KubeObject>(...predicates: readonly Predicate<T>[]): Predicate<T> {
  return {
    create: (object) => allowCreate(predicates, object),
    update: (oldObject, newObject) => allowUpdate(predicates, oldObject, newObject),
    delete: (object) => allowDelete(predicates, object),
    generic: (object) => allowGeneric(predicates, object),
  };
}

/**
 * Lets an event through if any predicate does, e.g. "the spec changed or a label changed":
 * `or(generationChanged(), labelsChanged())`. With no predicates nothing passes.
 */
export function or<T extends KubeObject = KubeObject>(...predicates: readonly Predicate<T>[]): Predicate<T> {
  return {
    create: (object) => predicates.some((p) => allowCreate([p], object)),
    update: (oldObject, newObject) => predicates.some((p) => allowUpdate([p], oldObject, newObject)),
    delete: (object) => predicates.some((p) => allowDelete([p], object)),
    generic: (object) => predicates.some((p) => allowGeneric([p], object)),
  };
}

/**
 * Inverts a predicate for every kind of event. A method the predicate lacks lets everything through, so
 * its inverse lets nothing through: `not(generationChanged())` passes only updates that kept the generation
 * (status-only writes) and drops creates and deletes.
 */
export function not<T extends KubeObject = KubeObject>(predicate: Predicate<T>): Predicate<T> {
  return {
    create: (object) => !allowCreate([predicate], object),
    update: (oldObject, newObject) => !allowUpdate([predicate], oldObject, newObject),
    delete: (object) => !allowDelete([predicate], object),
    generic: (object) => !allowGeneric([predicate], object),
  };
}
