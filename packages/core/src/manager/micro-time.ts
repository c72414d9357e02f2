/**
 * `metav1.MicroTime` text for a Lease's `acquireTime`/`renewTime`: RFC 3339 with exactly six fractional
 * digits (`2026-01-01T00:00:00.000000Z`). The API server rejects nanosecond precision and expects the
 * micro form; JavaScript dates have milliseconds, so the last three digits are zeros.
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
