import { isAlreadyExists } from '@kubeloom/core';

/** Runs `create`; an object that already exists is fine (a generated Secret is never regenerated). */
export async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}
