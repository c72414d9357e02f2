import type { Client } from '../client/client.ts';
import { isNotFound } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** The object as read (undefined if it does not exist) and as `mutate` wants it. */
export interface MutatedObject<T extends KubeObject> {
  readonly current: T | undefined;
  readonly desired: T;
  /** Options for the write that follows: the namespace, signal and field manager. */
  readonly write: { namespace?: string; signal?: AbortSignal; fieldManager?: string };
}

/**
 * The read-and-mutate step shared by {@link createOrUpdate} and {@link createOrPatch}: reads the object
 * uncached, lets `mutate` change a copy (or a new object with just the name and namespace if there is
 * none), and checks that `mutate` kept the name and namespace. `verb` names the caller in errors.
 */
export async function readAndMutate<T extends KubeObject>(
  verb: string,
  client: Client,
  resource: ResourceDescriptor<T>,
  key: { name: string; namespace?: string },
  mutate: (object: T) => void | Promise<void>,
  options: { signal?: AbortSignal; fieldManager?: string },
): Promise<MutatedObject<T>> {
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
  return { current, desired, write };
}
