import type { MoveOperation, RemoveOperation, ValueOperation } from '../client/patch-types.ts';
import { deepEqual } from './deep-equal.ts';

/** One RFC 6902 operation. */
export type JsonPatchOperation = ValueOperation<string, unknown> | RemoveOperation<string> | MoveOperation;

/** A JSON patch could not be applied: a bad operation, a missing path, or a failed `test`. */
export class JsonPatchError extends Error {
  /** `JsonPatchError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'JsonPatchError';
}

/**
 * Applies an RFC 6902 JSON patch (add, remove, replace, move, copy, test) and returns the new document.
 * The input is not modified. Throws {@link JsonPatchError} when any operation fails; the patch is atomic.
 */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError('a JSON patch must be an array of operations');
  let doc: unknown = structuredClone(document);
  operations.forEach((raw: unknown, index) => {
    const op = validate(raw, index);
    switch (op.op) {
      case 'add':
        doc = add(doc, parsePointer(op.path), structuredClone(op.value), op.path);
        break;
      case 'remove':
        doc = remove(doc, parsePointer(op.path), op.path).doc;
        break;
      case 'replace': {
        const tokens = parsePointer(op.path);
        get(doc, tokens, op.path);
        doc =
          tokens.length === 0
            ? structuredClone(op.value)
            : add(remove(doc, tokens, op.path).doc, tokens, structuredClone(op.value), op.path);
        break;
      }
      case 'move': {
        if (op.path.startsWith(`${op.from}/`)) {
          throw new JsonPatchError(
            `operation ${index}: cannot move "${op.from}" into its own child "${op.path}"`,
          );
        }
        const removed = remove(doc, parsePointer(op.from), op.from);
        doc = add(removed.doc, parsePointer(op.path), removed.value, op.path);
        break;
      }
      case 'copy':
        doc = add(
          doc,
          parsePointer(op.path),
          structuredClone(get(doc, parsePointer(op.from), op.from)),
          op.path,
        );
        break;
      case 'test':
        if (!deepEqual(get(doc, parsePointer(op.path), op.path), op.value)) {
          throw new JsonPatchError(
            `operation ${index}: test failed: the value at "${op.path}" is not ${JSON.stringify(op.value)}`,
          );
        }
        break;
    }
  });
  return doc;
}

function validate(raw: unknown, index: number): JsonPatchOperation {
  if (typeof raw !== 'object' || raw === null)
    throw new JsonPatchError(`operation ${index} is not an object`);
  const op = raw as Record<string, unknown>;
  if (typeof op.path !== 'string') throw new JsonPatchError(`operation ${index} has no "path"`);
  switch (op.op) {
    case 'add':
    case 'replace':
    case 'test':
      if (!('value' in op)) throw new JsonPatchError(`operation ${index} (${op.op}) has no "value"`);
      return op as unknown as JsonPatchOperation;
    case 'remove':
      return op as unknown as JsonPatchOperation;
    case 'move':
    case 'copy':
      if (typeof op.from !== 'string')
        throw new JsonPatchError(`operation ${index} (${op.op}) has no "from"`);
      return op as unknown as JsonPatchOperation;
    default:
      throw new JsonPatchError(`operation ${index} has an unknown op ${JSON.stringify(op.op)}`);
  }
}

/** Splits an RFC 6901 JSON pointer into unescaped reference tokens. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function arrayIndex(array: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError(`invalid array index "${token}" in "${pointer}"`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) {
    throw new JsonPatchError(`array index ${index} out of range in "${pointer}"`);
  }
  return index;
}

function container(doc: unknown, tokens: string[], pointer: string): unknown {
  return get(doc, tokens.slice(0, -1), pointer);
}

function get(doc: unknown, tokens: string[], pointer: string): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, pointer, false)];
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else throw new JsonPatchError(`path "${pointer}" does not exist`);
  }
  return node;
}

function add(doc: unknown, tokens: string[], value: unknown, pointer: string): unknown {
  if (tokens.length === 0) return value;
  const parent = container(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, true), 0, value);
  else if (typeof parent === 'object' && parent !== null) (parent as Record<string, unknown>)[last] = value;
  else throw new JsonPatchError(`cannot add at "${pointer}": the parent is not an object or array`);
  return doc;
}

function remove(doc: unknown, tokens: string[], pointer: string): { doc: unknown; value: unknown } {
  if (tokens.length === 0) return { doc: undefined, value: doc };
  const parent = container(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const [value] = parent.splice(arrayIndex(parent, last, pointer, false), 1);
    return { doc, value };
  }
  if (typeof parent === 'object' && parent !== null && Object.hasOwn(parent, last)) {
    const record = parent as Record<string, unknown>;
    const value = record[last];
    delete record[last];
    return { doc, value };
  }
  throw new JsonPatchError(`path "${pointer}" does not exist`);
}
