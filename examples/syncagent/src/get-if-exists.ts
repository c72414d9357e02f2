import { type Client, type KubeObject, type ResourceDescriptor, isNotFound } from '@kubeloom/core';

/** The object, or `undefined` when the server says it does not exist; every other error is thrown. */
export async function getIfExists(
  client: Client,
  resource: ResourceDescriptor,
  name: string,
  options: { namespace?: string },
): Promise<KubeObject | undefined> {
  try {
    return await client.get(resource, name, options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
