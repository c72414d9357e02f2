/**
 * Whether `actual` already says everything `wanted` says: every key of `wanted` is in `actual` with a value
 * that in turn contains the wanted one; arrays must have the same length, element by element. Fields the
 * server added (defaults) do not count as a difference, so a write is sent only when it would change
 * something.
 */
export function contains(actual: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return true;
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(actual) &&
      actual.length === wanted.length &&
      wanted.every((w, i) => contains(actual[i], w))
    );
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    return Object.entries(wanted as Record<string, unknown>).every(([k, w]) => contains(a[k], w));
  }
  return Object.is(actual, wanted);
}
