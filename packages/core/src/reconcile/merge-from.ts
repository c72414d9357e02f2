import { isDeepStrictEqual } from 'node:util';
import type { MergePatch } from '../client/patch-types.ts';
import type { KubeObject } from '../client/object.ts';

/** Options for {@link mergeFrom}. */
export interface MergeFromOptions {
  /**
   * Put `before`'s `metadata.resourceVersion` into the patch, so that the server refuses it with 409
   * Conflict if the object changed since `before` was read (controller-runtime's
   * `MergeFromWithOptimisticLock`). Default false: the patch carries only what changed, and changes by
   * others to other fields are kept.
   */
  optimisticLock?: boolean;
}

/**
 * The JSON merge patch (RFC 7386) that turns `before` into `after`: changed and added fields with their new
 * values, removed fields as `null`, arrays whole. Sending only the difference leaves fields others wrote
 * since `before` was read alone, where an update would overwrite the whole object. `{}` when nothing
 * changed (see {@link isEmptyPatch}).
 */
export function mergeFrom<T extends KubeObject>(
  before: T,
  after: T,
  options: MergeFromOptions = {},
): MergePatch<T> {
  const patch = diff(before, after) ?? {};
  const resourceVersion = before.metadata?.resourceVersion;
  if (options.optimisticLock && resourceVersion) {
    const metadata = (patch.metadata ?? {}) as Record<string, unknown>;
    patch.metadata = { ...metadata, resourceVersion };
  }
  return patch as MergePatch<T>;
}

/** True for a patch that changes nothing, so that sending it can be skipped. */
export function isEmptyPatch(patch: object): boolean {
  return Object.keys(patch).length === 0;
}

function diff(before: unknown, after: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(before) || !isPlainRecord(after)) return undefined;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key];
    if (isDeepStrictEqual(old, value)) continue;
    const nested = isPlainRecord(old) && isPlainRecord(value) ? diff(old, value) : undefined;
    // Equal but for prototypes (a class instance against plain JSON): nothing to send.
    if (nested && isEmptyPatch(nested)) continue;
    patch[key] = nested ?? value;
  }
  for (const [key, value] of Object.entries(before)) {
    if (value !== undefined && (!(key in after) || after[key] === undefined)) patch[key] = null;
  }
  return patch;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
