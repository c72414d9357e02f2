import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** Options for {@link applyObject} and {@link applyStatus}. */
export interface ApplyObjectOptions {
  /** Owner of the applied fields; use one stable name per controller. */
  fieldManager: string;
  /**
   * Take over fields another manager owns instead of failing with a conflict. Default true: a controller
   * is the authority for the fields it applies.
   */
  force?: boolean;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** `All` to validate and admit without persisting. */
  dryRun?: 'All';
}

/**
 * Server-side apply of `object`, the fully specified intent of this field manager: fields it applied
 * before and leaves out now are removed, fields of other managers are kept. `apiVersion` and `kind` are
 * filled in from `resource`. `metadata.managedFields` (which apply rejects) and `metadata.resourceVersion`
 * (which would turn the apply into a conditional write that fails on any concurrent change) are dropped,
 * so an object read from the cache can be applied as is. Returns the object as stored.
 */
export function applyObject<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  options: ApplyObjectOptions,
): Promise<T> {
  return client.apply(resource, applyBody(object), applyOptions(options, undefined));
}

/**
 * {@link applyObject} for the status subresource: writes only `status` (of resources that have the
 * subresource), so a controller can report status without touching the spec others own.
 */
export function applyStatus<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  options: ApplyObjectOptions,
): Promise<T> {
  return client.apply(resource, applyBody(object), applyOptions(options, 'status'));
}

function applyBody<T extends KubeObject>(object: T): T {
  // Anything without metadata goes to client.apply as it is, which says what is wrong with it.
  if (!object?.metadata || typeof object.metadata !== 'object') return object;
  const { managedFields: _managed, resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function applyOptions(options: ApplyObjectOptions, subresource: string | undefined) {
  return {
    fieldManager: options.fieldManager,
    force: options.force ?? true,
    ...(subresource ? { subresource } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dryRun ? { dryRun: options.dryRun } : {}),
  };
}
