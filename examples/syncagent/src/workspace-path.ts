/**
 * `spec.enableWorkspacePaths`: the workspace path of a consumer's logical cluster (`root:org:team`), read
 * as upstream does from the `kcp.io/path` annotation of its `LogicalCluster` named `cluster`, through the
 * export's virtual workspace (the `core.kcp.io/logicalclusters` claim the APIExport controller adds). A
 * logical cluster's path does not change while it exists, so each is read once per process.
 */
import type { Client } from '@kubeloom/core';
import { LogicalClusterResource } from '@kubeloom/kcp-provider';

/** The annotation kcp puts on every LogicalCluster. */
export const workspacePathAnnotation = 'kcp.io/path';

/** Paths already read, by logical cluster name. */
const knownPaths = new Map<string, string>();

/**
 * The workspace path of `clusterName`, read with `client` (a client for that logical cluster). Throws
 * when it cannot be read, with what to check: the sync is retried rather than writing copies without it.
 */
export async function workspacePathOf(client: Client, clusterName: string): Promise<string> {
  const known = knownPaths.get(clusterName);
  if (known !== undefined) return known;
  let path: string | undefined;
  try {
    const logicalCluster = await client.get(LogicalClusterResource, 'cluster');
    path = logicalCluster.metadata?.annotations?.[workspacePathAnnotation];
  } catch (error) {
    throw new Error(
      `spec.enableWorkspacePaths: cannot read LogicalCluster "cluster" of workspace ${clusterName} (${(error as Error).message}); the consumer's APIBinding must accept the core.kcp.io/logicalclusters permission claim`,
      { cause: error },
    );
  }
  if (!path) {
    throw new Error(
      `spec.enableWorkspacePaths: LogicalCluster "cluster" of workspace ${clusterName} has no ${workspacePathAnnotation} annotation`,
    );
  }
  knownPaths.set(clusterName, path);
  return path;
}
