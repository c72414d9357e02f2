import { isNotFound } from '@kubeloom/core';

/** The object a read returns, or undefined when it does not exist (404); other failures are thrown. */
export async function getOrUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
