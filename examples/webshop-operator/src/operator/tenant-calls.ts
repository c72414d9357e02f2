/**
 * Calls into a tenant's workspace through the Webshop export's virtual workspace. A claimed API the tenant
 * has not bound answers 404 to everything there, which these helpers tell apart where it matters.
 */
import {
  applyObject,
  type Client,
  isNotFound,
  type KubeObject,
  type ResourceDescriptor,
} from '@kubeloom/core';
import type { Webshop } from '../api/webshop.ts';
import { FIELD_MANAGER, WEBSHOP_LABEL } from './names.ts';

/** The object, or undefined when the server says 404. */
export async function getIfExists<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<T | undefined> {
  try {
    return await client.get(resource, name, { namespace, signal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Server-side applies a tenant object; undefined when the tenant's workspace does not serve its API (a
 * 404 to an apply, which would otherwise create the object, means the API is not there: its export is
 * not bound).
 */
export async function applyInTenant<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  object: T,
  signal: AbortSignal,
): Promise<T | undefined> {
  try {
    return await applyObject(client, resource, object, { fieldManager: FIELD_MANAGER, signal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes a tenant object the operator made for `webshop` (it carries the Webshop's label); true while
 * it still exists. An object of that name without the label is the tenant's own and is left alone.
 */
export async function deleteTenantObject<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace: string,
  webshop: Webshop,
  signal: AbortSignal,
): Promise<boolean> {
  const existing = await getIfExists(client, resource, name, namespace, signal);
  if (!existing) return false;
  if (existing.metadata?.labels?.[WEBSHOP_LABEL] !== webshop.metadata?.name) return false;
  if (!existing.metadata?.deletionTimestamp) {
    await client.delete(resource, name, { namespace, signal }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
  return true;
}
