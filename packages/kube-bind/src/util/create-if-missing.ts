import { isAlreadyExists } from '@kubeloom/core';

/** Runs a create call; an object that already exists is fine (idempotent set-up steps, repeated binds). */
export async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}
