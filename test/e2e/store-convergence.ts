import {
  type Client,
  type KubeObject,
  type ResourceDescriptor,
  type SharedInformer,
  waitFor,
} from '@kubeloom/core';

/** name → resourceVersion: what a store or the server holds, for comparing the two exactly. */
export type VersionsByName = Map<string, string>;

/** How a store differs from the server: objects it lacks, holds at another resourceVersion, or holds too many. */
export interface StoreDiff {
  missing: string[];
  stale: string[];
  ghosts: string[];
}

/** What an informer's store holds (objects of one namespace of one workspace: names are unique). */
export function storeVersions<T extends KubeObject>(informer: SharedInformer<T>): VersionsByName {
  return new Map(
    [...informer.store.values()].map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']),
  );
}

/** What the server holds, by a fresh LIST. */
export async function serverVersions(
  client: Client,
  resource: ResourceDescriptor,
  namespace: string,
): Promise<VersionsByName> {
  const list = await client.list(resource, { namespace });
  return new Map(list.items.map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']));
}

/** The differences between a store and the server. */
export function storeDiff(store: VersionsByName, server: VersionsByName): StoreDiff {
  const missing: string[] = [];
  const stale: string[] = [];
  for (const [name, rv] of server) {
    const mine = store.get(name);
    if (mine === undefined) missing.push(name);
    else if (mine !== rv) stale.push(name);
  }
  const ghosts = [...store.keys()].filter((name) => !server.has(name));
  return { missing, stale, ghosts };
}

/**
 * Waits until `informer`'s store equals a fresh LIST of `namespace` (same names, same resourceVersions:
 * nothing missing, stale or left over) and returns the last diff (empty).
 */
export async function waitForStoreToMatchServer<T extends KubeObject>(
  informer: SharedInformer<T>,
  client: Client,
  resource: ResourceDescriptor,
  options: { namespace: string; what: string; timeoutMs?: number },
): Promise<StoreDiff> {
  let diff: StoreDiff = { missing: [], stale: [], ghosts: [] };
  return waitFor(
    async () => {
      diff = storeDiff(storeVersions(informer), await serverVersions(client, resource, options.namespace));
      return diff.missing.length + diff.stale.length + diff.ghosts.length === 0 ? diff : undefined;
    },
    {
      what: options.what,
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 100,
      describe: () => `differences: ${JSON.stringify(diff)}`,
    },
  );
}
