import { isDeepStrictEqual } from 'node:util';
import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import type { MutatedObject, MutateOptions, MutateResult, ObjectKey } from './mutated-object.ts';
import { mutateThenWrite } from './mutated-object.ts';

/** What {@link createOrUpdate} did. */
export type CreateOrUpdateOutcome = 'created' | 'updated' | 'unchanged';

/** What {@link createOrUpdate} did and the object it left. */
export type CreateOrUpdateResult<T extends KubeObject> = MutateResult<T, CreateOrUpdateOutcome>;

/** Options for {@link createOrUpdate}: the signal that ends the read and the write, and the field manager. */
export type CreateOrUpdateOptions = MutateOptions;

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
export function createOrUpdate<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  key: ObjectKey,
  mutate: (object: T) => void | Promise<void>,
  options: CreateOrUpdateOptions = {},
): Promise<CreateOrUpdateResult<T>> {
  return mutateThenWrite('createOrUpdate', client, resource, key, mutate, options, (mutated) =>
    updateIfChanged(client, resource, mutated),
  );
}

/** Updates an existing object if `mutate` changed it (deep comparison), with the resourceVersion read. */
async function updateIfChanged<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  { current, desired, write }: MutatedObject<T>,
): Promise<CreateOrUpdateResult<T>> {
  if (isDeepStrictEqual(current, desired)) return { outcome: 'unchanged', object: current };
  return { outcome: 'updated', object: await client.update(resource, desired, write) };
}
