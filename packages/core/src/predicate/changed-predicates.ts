import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../client/object.ts';
import type { Predicate } from './predicate.ts';

/**
 * Passes updates that changed `metadata.generation`, i.e. the spec (the API server bumps the generation
 * for spec changes only), and drops status-only and metadata-only writes, which would otherwise wake the
 * reconciler after each of its own status updates. Creates, deletes and generic events pass.
 *
 * Resources without a generation (ConfigMaps, or CRDs without the status subresource) never bump it:
 * do not use this predicate for them, or their updates are all dropped.
 */
export function generationChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) => oldObject.metadata?.generation !== newObject.metadata?.generation,
  };
}

/** Passes updates that changed `metadata.labels` (creates, deletes and generic events pass). */
export function labelsChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) =>
      !isDeepStrictEqual(oldObject.metadata?.labels ?? {}, newObject.metadata?.labels ?? {}),
  };
}

/** Passes updates that changed `metadata.annotations` (creates, deletes and generic events pass). */
export function annotationsChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) =>
      !isDeepStrictEqual(oldObject.metadata?.annotations ?? {}, newObject.metadata?.annotations ?? {}),
  };
}

/**
 * Passes updates whose `metadata.resourceVersion` differs, dropping re-deliveries of an unchanged object
 * (creates, deletes and generic events pass).
 */
export function resourceVersionChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) =>
      oldObject.metadata?.resourceVersion !== newObject.metadata?.resourceVersion,
  };
}
