/**
 * Objects built with @kubernetes/client-node's model classes (`new V1ConfigMap()`, or what its own API
 * returned) carry timestamps as `Date`. The client takes them as they are and writes each `Date` the way the
 * API server writes that field, so that an object read back compares equal to the one written.
 */

/**
 * `T`, or the same object as @kubernetes/client-node models it: every string field may also be a `Date`
 * (its timestamps), and class instances are fine where plain objects are expected.
 */
export type WithDates<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? WithDates<U>[]
    : T extends object
      ? { [K in keyof T]: WithDates<T[K]> }
      : T;

/**
 * Fields of type `MicroTime` in the built-in APIs (Lease, Event, LeaseCandidate): the server parses them
 * only with six fractional digits, where every other timestamp (`Time`) is written to the second.
 */
const microTimeFields: ReadonlySet<string> = new Set([
  'acquireTime',
  'renewTime',
  'eventTime',
  'lastObservedTime',
  'pingTime',
]);

/**
 * `value` with every `Date` inside replaced by its RFC 3339 text as the API server writes it:
 * `2026-01-02T03:04:05Z` for `Time` fields, `2026-01-02T03:04:05.678000Z` for `MicroTime` ones. Returns
 * `value` itself when it holds no `Date` (the common case costs one walk and no copy). A `Date` at the top
 * level is returned as it is, for the object checks to refuse.
 */
export function withRfc3339Dates<T>(value: T): T {
  return normalize(value, '', new Set()) as T;
}

function normalize(value: unknown, key: string, ancestors: Set<object>): unknown {
  if (value instanceof Date) {
    return key === '' || Number.isNaN(value.getTime()) ? value : rfc3339(value, microTimeFields.has(key));
  }
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return value;
  // Cycles and what JSON cannot carry are reported by the object checks; leave them alone here.
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = normalize(item, key, ancestors);
        if (next !== item) (copy ??= [...value])[i] = next;
      });
      return copy ?? value;
    }
    if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [k, child] of Object.entries(value)) {
      const next = normalize(child, k, ancestors);
      if (next !== child) (copy ??= { ...value })[k] = next;
    }
    return copy ?? value;
  } finally {
    ancestors.delete(value);
  }
}

function rfc3339(date: Date, micro: boolean): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  return micro ? `${iso.slice(0, 23)}000Z` : `${iso.slice(0, 19)}Z`;
}
