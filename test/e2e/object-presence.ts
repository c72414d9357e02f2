import { type Client, type KubeObject, type ResourceDescriptor, isNotFound, waitFor } from '@kubeloom/core';

/** How long to wait, and what for (in the timeout error). */
export interface PresenceWait {
  what: string;
  timeoutMs: number;
}

/** The object, or undefined when it does not exist. */
export function getIfExists<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace?: string,
): Promise<T | undefined> {
  return client
    .get(resource, name, namespace ? { namespace } : {})
    .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
}

/** Waits until the object exists, and returns it. */
export function untilExists<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  namespace: string | undefined,
  wait: PresenceWait,
): Promise<T> {
  return waitFor(() => getIfExists(client, resource, name, namespace), wait);
}

/** Waits until the object no longer exists. */
export async function untilGone(
  client: Client,
  resource: ResourceDescriptor,
  name: string,
  namespace: string | undefined,
  wait: PresenceWait,
): Promise<void> {
  await waitFor(async () => (await getIfExists(client, resource, name, namespace)) === undefined, wait);
}
