import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { MergePatch } from '../client/patch-types.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { isEmptyPatch, mergeFrom } from './merge-from.ts';
import type { MutatedObject, MutateOptions, MutateResult, ObjectKey } from './mutated-object.ts';
import { mutateThenWrite } from './mutated-object.ts';

/**
 * What {@link createOrPatch} did, in controller-runtime's terms: `updatedStatus` means the object and its
 * status were both patched, `updatedStatusOnly` that only the status was.
 */
export type CreateOrPatchOutcome =
  | 'created'
  | 'updated'
  | 'updatedStatus'
  | 'updatedStatusOnly'
  | 'unchanged';

/** What {@link createOrPatch} did and the object it left. */
export type CreateOrPatchResult<T extends KubeObject> = MutateResult<T, CreateOrPatchOutcome>;

/** Options for {@link createOrPatch}. */
export interface CreateOrPatchOptions extends MutateOptions {
  /**
   * Make each patch conditional on the resourceVersion read (see {@link MergeFromOptions.optimisticLock}),
   * so that it fails with 409 Conflict if anyone changed the object in between. Default false.
   */
  optimisticLock?: boolean;
}

/**
 * Like {@link createOrUpdate}, but writes only what `mutate` changed, as JSON merge patches computed with
 * {@link mergeFrom}: fields others wrote after the read are kept instead of overwritten, and a concurrent
 * change is no conflict unless `optimisticLock` is set. Changes to `status` are patched separately through
 * the status subresource (the resource must have one); a new object is created with everything but its
 * status, which the server drops on create. Returns what happened and the object as stored.
 */
export function createOrPatch<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  key: ObjectKey,
  mutate: (object: T) => void | Promise<void>,
  options: CreateOrPatchOptions = {},
): Promise<CreateOrPatchResult<T>> {
  return mutateThenWrite('createOrPatch', client, resource, key, mutate, options, (mutated) =>
    patchChanges(client, resource, key.name, mutated, options.optimisticLock ?? false),
  );
}

/** Patches what `mutate` changed on an existing object: the object first, then its status. */
async function patchChanges<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  { current, desired, write }: MutatedObject<T>,
  optimisticLock: boolean,
): Promise<CreateOrPatchResult<T>> {
  const lock = { optimisticLock };
  const { status: statusBefore, ...objectBefore } = current as T & { status?: unknown };
  const { status: statusAfter, ...objectAfter } = desired as T & { status?: unknown };
  const objectPatch = mergeFrom(objectBefore as T, objectAfter as T, lock);
  const statusPatch = mergeFrom(
    { status: statusBefore } as KubeObject,
    { status: statusAfter } as KubeObject,
  );
  const objectChanged = !isEmptyPatch(withoutLock(objectPatch));
  const statusChanged = !isEmptyPatch(statusPatch);
  let object = current;
  if (objectChanged) object = await client.patch(resource, name, objectPatch, write);
  if (statusChanged) {
    // Locked on the version the object patch (if any) left, which is the one this patch applies to.
    const resourceVersion = object.metadata?.resourceVersion;
    const patch =
      optimisticLock && resourceVersion ? { ...statusPatch, metadata: { resourceVersion } } : statusPatch;
    object = await client.patch(resource, name, patch as unknown as MergePatch<T>, {
      ...write,
      subresource: 'status',
    });
  }
  const outcome: CreateOrPatchOutcome = objectChanged
    ? statusChanged
      ? 'updatedStatus'
      : 'updated'
    : statusChanged
      ? 'updatedStatusOnly'
      : 'unchanged';
  return { outcome, object };
}

/** The patch without the resourceVersion an optimistic lock adds, to tell whether anything else changed. */
function withoutLock(patch: object): object {
  const { metadata, ...rest } = patch as { metadata?: Record<string, unknown> };
  if (!metadata) return rest;
  const { resourceVersion: _rv, ...others } = metadata;
  return Object.keys(others).length > 0 ? { ...rest, metadata: others } : rest;
}
