import type { Client } from '../client/client.ts';
import { isConflict, isNotFound } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** Options for {@link addFinalizer} and {@link removeFinalizer}. */
export interface FinalizerOptions {
  /** Aborts the requests. */
  signal?: AbortSignal;
  /** Recorded as the writer in managedFields. */
  fieldManager?: string;
  /** Writes attempted before a persisting conflict is thrown. Default 5. */
  maxAttempts?: number;
}

/** Whether `object` carries `finalizer`. */
export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

/**
 * Adds `finalizer` to an object in the cluster and returns the updated object (the given one if it
 * already had it). The write is an update with the object's resourceVersion, so it never overwrites a
 * change it has not seen; on a conflict the object is read again and the write retried. `object` itself
 * (often a cached, shared object) is not modified.
 *
 * Add the finalizer before creating anything external, so that deletion waits for your cleanup.
 */
export function addFinalizer<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  finalizer: string,
  options: FinalizerOptions = {},
): Promise<T> {
  return updateFinalizers(client, resource, object, options, `add finalizer ${finalizer}`, (finalizers) =>
    finalizers.includes(finalizer) ? undefined : [...finalizers, finalizer],
  );
}

/**
 * Removes `finalizer` from an object in the cluster and returns the updated object (the given one if it
 * did not have it), with the same optimistic concurrency as {@link addFinalizer}. If the object is gone
 * (removing the last finalizer of a deleted object lets the API server delete it), this is success and
 * the last known object, without the finalizer, is returned.
 */
export function removeFinalizer<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  finalizer: string,
  options: FinalizerOptions = {},
): Promise<T> {
  return updateFinalizers(client, resource, object, options, `remove finalizer ${finalizer}`, (finalizers) =>
    finalizers.includes(finalizer) ? finalizers.filter((f) => f !== finalizer) : undefined,
  ).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
    const finalizers = (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    return { ...object, metadata: { ...object.metadata, finalizers } };
  });
}

/**
 * Writes the finalizers `change` computes from the current ones (undefined: nothing to do), re-reading the
 * object after each conflict.
 */
async function updateFinalizers<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  options: FinalizerOptions,
  what: string,
  change: (finalizers: readonly string[]) => string[] | undefined,
): Promise<T> {
  const name = object.metadata?.name;
  if (!name) throw new TypeError(`cannot ${what} on a ${resource.kind} without metadata.name`);
  const namespace = object.metadata?.namespace;
  const maxAttempts = options.maxAttempts ?? 5;
  const call = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(namespace ? { namespace } : {}),
  };
  let current = object;
  for (let attempt = 1; ; attempt++) {
    const finalizers = change(current.metadata?.finalizers ?? []);
    if (!finalizers) return current;
    const next = { ...current, metadata: { ...current.metadata, finalizers } };
    try {
      return await client.update(resource, next, {
        ...call,
        ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
      });
    } catch (error) {
      if (!isConflict(error) || attempt >= maxAttempts) throw error;
      current = await client.get(resource, name, call);
    }
  }
}
