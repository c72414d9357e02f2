import type { KubeObject } from '../client/object.ts';

/**
 * Decides which watch events reach a controller's handler, so that a reconciler is not woken for changes it
 * does not care about (a status write, a resync). Each method answers for one kind of event; a missing
 * method lets that kind of event through, so a predicate only has to describe what it filters.
 *
 * Predicates see objects only: which cluster an event comes from is chosen per watch (see the controller's
 * cluster selection), not here.
 */
export interface Predicate<T extends KubeObject = KubeObject> {
  /** An object appeared: created, or found when the watch started or the cluster was engaged. */
  create?(object: T): boolean;
  /** An object changed. */
  update?(oldObject: T, newObject: T): boolean;
  /** An object was deleted; `object` is its last known state. */
  delete?(object: T): boolean;
  /** An event from outside the API server (a custom source) about `object`. */
  generic?(object: T): boolean;
}

/**
 * A predicate from one test applied to every kind of event (for updates, to the new object), for the common
 * case of filtering on what an object is rather than on how it changed: `predicateFn((o) => o.metadata?.labels?.app === 'shop')`.
 */
export function predicateFn<T extends KubeObject = KubeObject>(test: (object: T) => boolean): Predicate<T> {
  return {
    create: (object) => test(object),
    update: (_oldObject, newObject) => test(newObject),
    delete: (object) => test(object),
    generic: (object) => test(object),
  };
}

/** Whether every predicate lets a create event through (a missing method counts as yes). */
export function allowCreate<T extends KubeObject>(predicates: readonly Predicate<T>[], object: T): boolean {
  for (const predicate of predicates) if (predicate.create && !predicate.create(object)) return false;
  return true;
}

/** Whether every predicate lets an update event through (a missing method counts as yes). */
export function allowUpdate<T extends KubeObject>(
  predicates: readonly Predicate<T>[],
  oldObject: T,
  newObject: T,
): boolean {
  for (const predicate of predicates) {
    if (predicate.update && !predicate.update(oldObject, newObject)) return false;
  }
  return true;
}

/** Whether every predicate lets a delete event through (a missing method counts as yes). */
export function allowDelete<T extends KubeObject>(predicates: readonly Predicate<T>[], object: T): boolean {
  for (const predicate of predicates) if (predicate.delete && !predicate.delete(object)) return false;
  return true;
}

/** Whether every predicate lets a generic event through (a missing method counts as yes). */
export function allowGeneric<T extends KubeObject>(predicates: readonly Predicate<T>[], object: T): boolean {
  for (const predicate of predicates) if (predicate.generic && !predicate.generic(object)) return false;
  return true;
}
