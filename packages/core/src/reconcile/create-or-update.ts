import { isDeepStrictEqual } from 'node:util';
import type { Client } from '../client/client.ts';
import { isNotFound } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** What {@link createOrUpdate} did. */
export type CreateOrUpdateOutcome = 'created' | 'updated' | 'unchanged';

/** Options for {@link createOrUpdate}. */
export interface CreateOrUpdateOptions {
  signal?: AbortSignal;
  /** Recorded as the writer in managedFields. */
  fieldManager?: string;
}

/**
 * Makes an object look the way `mutate` says, writing only when something changes: reads the object
 * (uncached, from the API server), lets `mutate` change a copy (or a new object with just the name and
 * namespace if it does not exist), then creates it, updates it if the copy differs (deep comparison), or
 * leaves it alone. Returns what happened and the object as stored.
 *
 * `mutate` must set everything the controller owns and leave the rest (fields defaulted by the server or
 * set by others) as they are; it must not change the name or namespace. The update carries the read
 * resourceVersion, so a concurrent change makes it fail with a 409 Conflict: let the reconcile fail and
 * retry. Status changes are not written by this update (use `updateStatus` or {@link applyStatus}).
 */
export async function createOrUpdate<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  key: { name: string; namespace?: string },
  mutate: (object: T) => void | Promise<void>,
  options: CreateOrUpdateOptions = {},
): Promise<{ outcome: CreateOrUpdateOutcome; object: T }> {
  const namespace = resource.namespaced ? key.namespace : undefined;
  if (resource.namespaced && !namespace) {
    throw new TypeError(
      `createOrUpdate of ${resource.kind} "${key.name}": a namespaced resource needs a namespace`,
    );
  }
  const at = { ...(namespace ? { namespace } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const write = { ...at, ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}) };
  let current: T | undefined;
  try {
    current = await client.get(resource, key.name, at);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (current === undefined) {
    const fresh = { metadata: { name: key.name, ...(namespace ? { namespace } : {}) } } as T;
    await mutate(fresh);
    checkIdentity(resource, key.name, namespace, fresh);
    return { outcome: 'created', object: await client.create(resource, fresh, write) };
  }
  const desired = structuredClone(current);
  await mutate(desired);
  checkIdentity(resource, key.name, namespace, desired);
  if (isDeepStrictEqual(current, desired)) return { outcome: 'unchanged', object: current };
  return { outcome: 'updated', object: await client.update(resource, desired, write) };
}

function checkIdentity<T extends KubeObject>(
  resource: ResourceDescriptor<T>,
  name: string,
  namespace: string | undefined,
  object: T,
): void {
  if (object.metadata?.name !== name || (object.metadata?.namespace || undefined) !== namespace) {
    throw new TypeError(
      `createOrUpdate of ${resource.kind} "${namespace ? `${namespace}/` : ''}${name}": mutate must not change the name or namespace`,
    );
  }
}
