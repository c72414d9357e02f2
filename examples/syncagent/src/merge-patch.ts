/**
 * JSON merge patches (RFC 7386), the way upstream computes spec updates: the patch from the last-known
 * state of the kcp object to its current state, applied to the service-cluster copy, so fields changed
 * only on the service side (defaults, other controllers) survive until kcp changes the same field.
 */
import { isRecord } from './is-record.ts';

/**
 * The merge patch turning `base` into `revision`: changed and added keys with their new values, removed
 * keys as `null`, objects recursively, lists and scalars replaced whole. `{}` means "no change".
 */
export function createMergePatch(
  base: Record<string, unknown>,
  revision: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(revision, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(revision)) {
    const before = base[key];
    if (!Object.hasOwn(base, key)) {
      patch[key] = structuredClone(value);
    } else if (isRecord(before) && isRecord(value)) {
      const nested = createMergePatch(before, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!jsonEqual(before, value)) {
      patch[key] = structuredClone(value);
    }
  }
  return patch;
}

/** Applies a merge patch to a copy of `target` (RFC 7386): `null` removes, objects merge, the rest replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Deep equality of JSON values (object key order does not matter, list order does). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}
