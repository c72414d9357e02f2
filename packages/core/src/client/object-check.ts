/**
 * Checks of what a client verb is about to send, made before any request: a body JSON cannot carry, or one
 * missing the name the URL needs, would otherwise surface as a raw TypeError, a confusing 400 from the
 * server, or silently different data (a Map sent as `{}`).
 */
import { InvalidObjectError, type InvalidObjectProblem } from './errors.ts';
import type { KubeObject } from './object.ts';
import type { ResourceDescriptor } from './resource.ts';
import { PatchType } from './rest-client.ts';

/** What a verb needs of an object's metadata. */
export interface ObjectRequirements {
  /** `name`: metadata.name is required; `nameOrGenerateName`: either will do (create). */
  readonly name: 'name' | 'nameOrGenerateName';
  /** The namespace given in the call's options, if any. */
  readonly namespace: string | undefined;
  /** False for verbs without a namespace option (apply), so the message does not suggest one. */
  readonly hasNamespaceOption?: boolean;
}

/**
 * Returns `value` typed as an object if a verb can send it, and throws {@link InvalidObjectError} naming the
 * call (e.g. `create(ConfigMap)`) otherwise.
 */
export function checkObject<T extends KubeObject>(
  call: string,
  resource: ResourceDescriptor<T>,
  value: unknown,
  requirements: ObjectRequirements,
): T {
  const fail = (problem: InvalidObjectProblem, text: string): never => {
    throw new InvalidObjectError(call, problem, text);
  };
  if (!isSendableObject(value)) {
    fail('NotAnObject', `the object must be a plain object, got ${describe(value)}${hintFor(value)}`);
  }
  const obj = value as KubeObject;
  checkJson(call, obj);
  if (obj.kind !== undefined && obj.kind !== resource.kind) {
    fail(
      'KindMismatch',
      `the object's kind is ${JSON.stringify(obj.kind)}, but the resource is ${resource.kind}; pass the resource descriptor that matches the object's kind`,
    );
  }
  const metadata = obj.metadata as unknown;
  if (metadata !== undefined && !isSendableObject(metadata)) {
    fail('InvalidMetadata', `metadata must be an object, got ${describe(metadata)}`);
  }
  const { name, generateName, namespace } = (metadata ?? {}) as Record<string, unknown>;
  // An empty name counts as none, as on the server (so `name: ''` with a generateName still creates).
  if (name !== undefined && name !== null && typeof name !== 'string') {
    fail('MissingName', `metadata.name must be a string, got ${describe(name)}`);
  }
  if (!name) {
    const generated = typeof generateName === 'string' && generateName !== '';
    if (requirements.name === 'name') {
      fail('MissingName', 'metadata.name is missing; set it to the name of the object');
    } else if (!generated) {
      fail(
        'MissingName',
        'metadata.name is missing; set it, or set metadata.generateName to have the server pick one',
      );
    }
  }
  if (namespace !== undefined && typeof namespace !== 'string') {
    fail('InvalidMetadata', `metadata.namespace must be a string, got ${describe(namespace)}`);
  }
  if (resource.namespaced && !namespace && !requirements.namespace) {
    fail(
      'MissingNamespace',
      `${resource.kind} is namespaced, but the object has no metadata.namespace${requirements.hasNamespaceOption === false ? '' : ' and no namespace option was given'}`,
    );
  }
  return obj as T;
}

/** Checks a patch body and the name it is sent to, per patch type; throws {@link InvalidObjectError}. */
export function checkPatch(
  call: string,
  resource: ResourceDescriptor,
  name: unknown,
  patch: unknown,
  options: { type: PatchType; namespace: string | undefined },
): void {
  const fail = (problem: InvalidObjectProblem, text: string): never => {
    throw new InvalidObjectError(call, problem, text);
  };
  checkName(call, name);
  if (resource.namespaced && !options.namespace) {
    fail('MissingNamespace', `${resource.kind} is namespaced; pass the namespace option`);
  }
  // Text is sent as it is: the caller serialized it (and YAML is what server-side apply takes natively).
  if (typeof patch === 'string' && patch.trim() !== '') return;
  if (options.type === PatchType.Json) {
    if (!Array.isArray(patch)) {
      fail(
        'NotAnObject',
        `a JSON patch must be an array of operations ({ op, path, value }), got ${describe(patch)}`,
      );
    }
    (patch as unknown[]).forEach((op, i) => {
      const o = op as { op?: unknown; path?: unknown } | null;
      if (!isSendableObject(op) || typeof o?.op !== 'string' || typeof o.path !== 'string') {
        fail(
          'NotAnObject',
          `JSON patch operation ${i} must be an object with string op and path, got ${describe(op)}`,
        );
      }
    });
  } else if (!isSendableObject(patch)) {
    const asJsonPatch = Array.isArray(patch)
      ? ' (a list of operations is a JSON patch: pass type: PatchType.Json)'
      : '';
    fail(
      'NotAnObject',
      `the patch must be a plain object, got ${describe(patch)}${asJsonPatch || hintFor(patch)}`,
    );
  }
  checkJson(call, patch);
}

/**
 * Throws {@link InvalidObjectError} unless `name` is a non-empty string. Without this, an undefined name
 * would address the whole collection: a GET would list it and a DELETE would delete every object in it.
 */
export function checkName(call: string, name: unknown): void {
  if (typeof name !== 'string' || !name) {
    throw new InvalidObjectError(
      call,
      'MissingName',
      `the name must be a non-empty string, got ${describe(name)}`,
    );
  }
}

/** Objects JSON.stringify would turn into something else than the caller meant (or refuse). */
const notPlain = [Map, Set, WeakMap, WeakSet, Date, RegExp, Promise, Error, ArrayBuffer] as const;

function isSendableObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (ArrayBuffer.isView(value) || typeof (value as { then?: unknown }).then === 'function') return false;
  return !notPlain.some((type) => value instanceof type);
}

/**
 * Walks a body as JSON.stringify would and fails on what it cannot carry: cycles, BigInts, non-finite
 * numbers (sent as null) and Maps or Sets (sent as `{}`).
 */
function checkJson(call: string, root: unknown): void {
  const ancestors = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    const at = path || 'the top level';
    if (typeof value === 'bigint') {
      throw new InvalidObjectError(
        call,
        'NotSerializable',
        `the object holds a BigInt at ${at}, which JSON cannot carry; convert it to a number or a string`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidObjectError(
        call,
        'NotSerializable',
        `the object holds ${value} at ${at}, which JSON would send as null; use a finite number`,
      );
    }
    if (typeof value !== 'object' || value === null) return;
    if (value instanceof Map || value instanceof Set) {
      throw new InvalidObjectError(
        call,
        'NotSerializable',
        `the object holds a ${value.constructor.name} at ${at}, which JSON would send as {}; convert it to a plain object or array (Object.fromEntries, [...set])`,
      );
    }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return;
    if (ancestors.has(value)) {
      throw new InvalidObjectError(
        call,
        'NotSerializable',
        `the object has a circular reference at ${at} (it contains itself), which JSON cannot carry`,
      );
    }
    ancestors.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else {
      for (const [key, child] of Object.entries(value)) {
        walk(child, path ? `${path}.${key}` : key);
      }
    }
    ancestors.delete(value);
  };
  walk(root, '');
}

/** `a string`, `null`, `an array`, `a Map`, ... */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
    const name = value.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  return typeof value === 'bigint' ? 'a BigInt' : `a ${typeof value}`;
}

/** A guess at what the caller meant, for the common mistakes. */
function hintFor(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.trimStart();
    if (text.startsWith('{')) return ' (did you pass JSON text? parse it with JSON.parse first)';
    return ' (did you pass YAML text? parse it with parseManifests first, or read a file with loadManifests)';
  }
  if (Array.isArray(value)) return ' (send one object per call; applyManifests applies many)';
  if (describe(value) === 'a Promise') return ' (did you forget an await?)';
  return '';
}
