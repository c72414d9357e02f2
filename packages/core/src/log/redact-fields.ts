import { REDACTED, redact } from '../client/redact.ts';

/**
 * Field names whose values are always replaced by `[REDACTED]`, compared after lower-casing and removing
 * `-` and `_` (so `client-key-data`, `clientKeyData` and `CLIENT_KEY_DATA` are one name). The list is exact,
 * not substring-based: `secretName` or `tokenFile` name a secret without being one, and hiding them would
 * only make logs useless for debugging.
 */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'token',
  'access-token',
  'refresh-token',
  'id-token',
  'bearer-token',
  'password',
  'passwd',
  'secret',
  'client-secret',
  'client-key',
  'client-key-data',
  'private-key',
  'api-key',
];

/** The normalised form of a field name used for matching against redacted keys. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` that is safe to log: fields named like credentials (see {@link DEFAULT_REDACTED_KEYS})
 * are replaced at any depth, strings are scrubbed of bearer tokens, JWTs and `token=...` pairs, and Errors
 * become plain `{type, message, stack, code, cause}` objects (JSON.stringify would print `{}` for them).
 * Cycles and very deep objects are cut off rather than followed, so logging can never hang or throw.
 */
export function redactFields(value: unknown, keys: ReadonlySet<string>): unknown {
  return walk(value, keys, 0, new WeakSet());
}

function walk(value: unknown, keys: ReadonlySet<string>, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return serializeError(value, keys, depth, seen);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (Array.isArray(value)) return value.map((item) => walk(item, keys, depth + 1, seen));
    if (value instanceof Map) return walkEntries(value.entries(), keys, depth, seen);
    if (value instanceof Set) return [...value].map((item) => walk(item, keys, depth + 1, seen));
    return walkEntries(Object.entries(value), keys, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function walkEntries(
  entries: Iterable<[unknown, unknown]>,
  keys: ReadonlySet<string>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const key = String(k);
    out[key] = keys.has(normaliseKey(key)) ? REDACTED : walk(v, keys, depth + 1, seen);
  }
  return out;
}

function serializeError(
  err: Error,
  keys: ReadonlySet<string>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: redact(err.message) };
  if (err.stack) out.stack = redact(err.stack);
  const { code, reason } = err as { code?: unknown; reason?: unknown };
  if (code !== undefined) out.code = walk(code, keys, depth + 1, seen);
  if (typeof reason === 'string') out.reason = reason;
  if (err.cause !== undefined) out.cause = walk(err.cause, keys, depth + 1, seen);
  return out;
}
