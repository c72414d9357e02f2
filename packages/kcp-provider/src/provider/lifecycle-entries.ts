import { type Client, PatchType, isConflict, isInvalid, isNotFound } from '@kubeloom/core';
import { LogicalClusterResource } from '../apis/core.ts';

/**
 * Removes our entry from a workspace's `status.initializers` through the initializingworkspaces virtual
 * workspace (`client` is the engaged cluster's client). The VW accepts only a status change that removes
 * exactly this entry, so the patch tests the current list first and is retried if it changed meanwhile.
 * Resolves `false` if the entry (or the workspace) was already gone.
 */
export function removeInitializer(client: Client, initializer: string): Promise<boolean> {
  return removeEntry(client, 'initializers', initializer);
}

/** Removes our entry from a deleting workspace's `status.terminators` (see {@link removeInitializer}). */
export function removeTerminator(client: Client, terminator: string): Promise<boolean> {
  return removeEntry(client, 'terminators', terminator);
}

async function removeEntry(
  client: Client,
  field: 'initializers' | 'terminators',
  entry: string,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let current: string[];
    try {
      const lc = await client.get(LogicalClusterResource, 'cluster');
      current = lc.status?.[field] ?? [];
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    if (!current.includes(entry)) return false;
    try {
      await client.patch(
        LogicalClusterResource,
        'cluster',
        [
          { op: 'test', path: `/status/${field}`, value: current },
          { op: 'replace', path: `/status/${field}`, value: current.filter((e) => e !== entry) },
        ],
        { type: PatchType.Json, subresource: 'status' },
      );
      return true;
    } catch (err) {
      // A failed `test` (the list changed under us) is 422; a concurrent update is 409.
      if ((isConflict(err) || isInvalid(err)) && attempt < 5) continue;
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
