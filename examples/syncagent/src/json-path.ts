/**
 * Paths into JSON objects as PublishedResources write them (upstream uses gjson/sjson): dot-separated keys
 * without a leading dot (`spec.secretRef.name`), `\.` for a literal dot in a key
 * (`metadata.labels.app\.kubernetes\.io/name`), numeric segments for array elements (`spec.items.0`).
 * Beyond upstream, a path may address every element of an array with `#` (gjson) or `[*]`
 * (`spec.items[*].name`), and one element with `[2]`.
 */
import { isRecord } from './is-record.ts';

/** One step of a path. */
export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'each' };

/** A path that cannot be parsed; the message says what is wrong with which part. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

/** Parses a path. Throws {@link JsonPathError}. */
export function parseJsonPath(path: string): PathSegment[] {
  if (path === '') throw new JsonPathError('path is empty');
  if (path.startsWith('.'))
    throw new JsonPathError(`path "${path}" must not start with "." (write spec.x, not .spec.x)`);
  const segments: PathSegment[] = [];
  let key = '';
  let keyStarted = false;
  const flushKey = (at: number): void => {
    if (!keyStarted) return;
    if (key === '') throw new JsonPathError(`path "${path}" has an empty segment at offset ${at}`);
    if (key === '#') segments.push({ kind: 'each' });
    else if (/^\d+$/.test(key)) segments.push({ kind: 'index', index: Number(key) });
    else segments.push({ kind: 'key', key });
    key = '';
    keyStarted = false;
  };
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch === '\\' && i + 1 < path.length) {
      key += path[i + 1];
      keyStarted = true;
      i++;
    } else if (ch === '.') {
      if (!keyStarted && path[i - 1] !== ']') {
        throw new JsonPathError(`path "${path}" has an empty segment at offset ${i}`);
      }
      flushKey(i);
      if (i === path.length - 1) throw new JsonPathError(`path "${path}" must not end with "."`);
      keyStarted = true;
    } else if (ch === '[') {
      flushKey(i);
      const close = path.indexOf(']', i);
      if (close < 0) throw new JsonPathError(`path "${path}" has an unclosed "[" at offset ${i}`);
      const inner = path.slice(i + 1, close);
      if (inner === '*') segments.push({ kind: 'each' });
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else throw new JsonPathError(`path "${path}" has "[${inner}]"; only [*] and [<index>] are supported`);
      i = close;
      keyStarted = false;
    } else if (ch === '*' || ch === '?' || ch === '|' || ch === '@') {
      throw new JsonPathError(
        `path "${path}" uses "${ch}", which is not supported (use keys, indexes, # or [*])`,
      );
    } else {
      key += ch;
      keyStarted = true;
    }
  }
  flushKey(path.length);
  if (segments.length === 0) throw new JsonPathError(`path "${path}" has no segments`);
  return segments;
}

/** Formats concrete segments back into a path (for error messages), e.g. `spec.items[1].name`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (segment.kind === 'index') out += `[${segment.index}]`;
    else if (segment.kind === 'each') out += '[*]';
    else out += (out ? '.' : '') + segment.key.replaceAll('.', '\\.');
  }
  return out;
}

function step(container: unknown, segment: PathSegment): { found: boolean; value?: unknown } {
  if (segment.kind === 'index' && Array.isArray(container)) {
    return segment.index < container.length
      ? { found: true, value: container[segment.index] }
      : { found: false };
  }
  const key =
    segment.kind === 'index' ? String(segment.index) : segment.kind === 'key' ? segment.key : undefined;
  if (key !== undefined && isRecord(container) && Object.hasOwn(container, key)) {
    return { found: true, value: container[key] };
  }
  return { found: false };
}

/**
 * Expands `each` segments against `root`: one concrete path per existing array element. A path without
 * `each` expands to itself, whether or not it exists (so it can be set).
 */
export function expandJsonPath(root: unknown, segments: readonly PathSegment[]): PathSegment[][] {
  const eachAt = segments.findIndex((s) => s.kind === 'each');
  if (eachAt < 0) return [[...segments]];
  const prefix = segments.slice(0, eachAt);
  const found = getJsonPathValue(root, prefix);
  if (!found.found || !Array.isArray(found.value)) return [];
  const rest = segments.slice(eachAt + 1);
  const out: PathSegment[][] = [];
  found.value.forEach((element, index) => {
    for (const tail of expandJsonPath(element, rest)) {
      out.push([...prefix, { kind: 'index', index }, ...tail]);
    }
  });
  return out;
}

/** Reads the value at concrete `segments`; `found: false` when any step is missing. */
export function getJsonPathValue(
  root: unknown,
  segments: readonly PathSegment[],
): { found: boolean; value?: unknown } {
  let current: unknown = root;
  for (const segment of segments) {
    if (segment.kind === 'each') {
      throw new JsonPathError(
        `getJsonPathValue needs a concrete path; expand "${formatJsonPath(segments)}" first`,
      );
    }
    const next = step(current, segment);
    if (!next.found) return { found: false };
    current = next.value;
  }
  return { found: true, value: current };
}

/**
 * Sets the value at concrete `segments`, creating missing objects along the way (like sjson). An index
 * may address an existing element or append at the end. Throws {@link JsonPathError} when a step crosses
 * a value that is neither an object nor an array.
 */
export function setJsonPathValue(
  root: Record<string, unknown>,
  segments: readonly PathSegment[],
  value: unknown,
): void {
  let current: unknown = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment.kind === 'each') throw new JsonPathError('setJsonPathValue needs a concrete path');
    if (segment.kind === 'index' && Array.isArray(current)) {
      if (segment.index > current.length) {
        throw new JsonPathError(
          `cannot set ${formatJsonPath(segments)}: index ${segment.index} is beyond the end of a list of ${current.length}`,
        );
      }
      if (last) current[segment.index] = value;
      else {
        if (!isContainer(current[segment.index])) current[segment.index] = {};
        current = current[segment.index];
      }
      return;
    }
    const key = segment.kind === 'key' ? segment.key : String(segment.index);
    if (!isRecord(current)) {
      throw new JsonPathError(
        `cannot set ${formatJsonPath(segments)}: ${formatJsonPath(segments.slice(0, i)) || 'the object'} is not an object`,
      );
    }
    if (last) current[key] = value;
    else {
      if (!isContainer(current[key])) current[key] = {};
      current = current[key];
    }
  });
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Deletes the value at concrete `segments`; a missing path is not an error (like sjson). */
export function deleteJsonPathValue(root: Record<string, unknown>, segments: readonly PathSegment[]): void {
  const parent = getJsonPathValue(root, segments.slice(0, -1));
  const last = segments.at(-1);
  if (!parent.found || !last || last.kind === 'each') return;
  if (last.kind === 'index' && Array.isArray(parent.value)) {
    if (last.index < parent.value.length) parent.value.splice(last.index, 1);
    return;
  }
  const key = last.kind === 'key' ? last.key : String(last.index);
  if (isRecord(parent.value)) delete parent.value[key];
}
