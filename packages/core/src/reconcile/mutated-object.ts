import type { Client } from '../client/client.ts';
import { isNotFound } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** Options {@link createOrUpdate} and {@link createOrPatch} both take. */
export interface MutateOptions {
  /** Ends the read and the writes. */
  signal?: AbortSignal;
  /** Recorded as the writer in managedFields. */
  fieldManager?: string;
}

/** What {@link createOrUpdate} or {@link createOrPatch} did and the object it left. */
export interface MutateResult<T extends KubeObject, Outcome extends string> {
  /** What was written, if anything. */
  outcome: Outcome;
  /** The object as stored after the last write (as read, when nothing changed). */
  object: T;
}

/** The name (and namespace, for a namespaced resource) of the object {@link createOrUpdate} or {@link createOrPatch} writes. */
export interface ObjectKey {
  /** The object's name. */
  name: string;
  /** Its namespace: required for a namespaced resource, ignored for a cluster-scoped one. */
  namespace?: string;
}

/** An existing object as read and as `mutate` wants it, with the options for the write that follows. */
export interface MutatedObject<T extends KubeObject> {
  readonly current: T;
  readonly desired: T;
  /** Options for the write: the namespace, signal and field manager. */
  readonly write: { namespace?: string; signal?: AbortSignal; fieldManager?: string };
}

/**
 * The steps {@link createOrUpdate} and {@link createOrPatch} share: reads the object uncached, lets
 * `mutate` change a copy (or a new object with just the name and namespace if there is none), checks that
 * `mutate` kept the name and namespace, and creates the object if it did not exist. An existing one is
 * handed to `writeChanges`, which writes what differs. `verb` names the caller in errors.
 */
export async function mutateThenWrite<T extends KubeObject, Outcome extends string>(
  verb: string,
  client: Client,
  resource: ResourceDescriptor<T>,
  key: ObjectKey,
  mutate: (object: T) => void | Promise<void>,
  options: MutateOptions,
  writeChanges: (mutated: MutatedObject<T>) => Promise<MutateResult<T, Outcome>>,
): Promise<MutateResult<T, Outcome | 'created'>> {
  const signal = options.signal;
  const namespace = resource.namespaced ? key.namespace : undefined;
  if (resource.namespaced && !namespace) {
    throw new TypeError(`${verb} of ${resource.kind} "${key.name}": a namespaced resource needs a namespace`);
  }
  let current: T | undefined;
  try {
    current = await client.get(resource, key.name, {
      ...(namespace ? { namespace } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const desired =
    current === undefined
      ? ({ metadata: { name: key.name, ...(namespace ? { namespace } : {}) } } as T)
      : structuredClone(current);
  await mutate(desired);
  if (desired.metadata?.name !== key.name || (desired.metadata?.namespace || undefined) !== namespace) {
    throw new TypeError(
      `${verb} of ${resource.kind} "${namespace ? `${namespace}/` : ''}${key.name}": mutate must not change the name or namespace`,
    );
  }
  const write = {
    ...(namespace ? { namespace } : {}),
    ...(signal ? { signal } : {}),
    ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
  };
  if (current === undefined) {
    return { outcome: 'created', object: await client.create(resource, desired, write) };
  }
  return writeChanges({ current, desired, write });
}
