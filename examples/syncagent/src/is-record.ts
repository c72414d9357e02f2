/** True for a plain JSON object (not null, not an array); narrows while keeping the declared type. */
export function isRecord<T>(value: T): value is T & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
