import {
  ApiError,
  CLUSTER_ANNOTATION,
  type Client,
  isAlreadyExists,
  isForbidden,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { LogicalClusterResource, PATH_ANNOTATION } from '../apis/core.ts';
import { type Workspace, WorkspaceResource, type WorkspaceTypeReference } from '../apis/tenancy.ts';
import { clusterUrl } from '../apis/urls.ts';

/** A Ready workspace. */
export interface KcpWorkspace {
  /** Workspace path, e.g. `root:shop`. Use it for admin access through the shard (`/clusters/<path>`). */
  path: string;
  /** Logical cluster name: what `kcp.io/cluster` says and what virtual workspaces accept. */
  clusterName: string;
  /** Workspace object name in its parent. */
  name: string;
  /** `spec.URL`: the shard URL of the workspace. */
  url: string;
}

/** Options for {@link createWorkspace}. */
export interface CreateWorkspaceOptions {
  /** Parent workspace path. Default `root`. */
  parent?: string;
  /** Exact name; give this or `generateName`. */
  name?: string;
  /** Name prefix; the server appends a random suffix. Default `ws-`. */
  generateName?: string;
  /** Workspace type. Default `root:universal`, which is allowed under any parent. */
  type?: WorkspaceTypeReference;
  /** Labels for the Workspace object. */
  labels?: Record<string, string>;
  /**
   * Where kcp may schedule it: a selector over Shard labels, e.g. `{ selector: { matchLabels: { name:
   * 'shard-1' } } }` (every shard carries `name=<shard>`). Default: any shard.
   */
  location?: NonNullable<Workspace['spec']>['location'];
  /** How long to wait for phase Ready and for the logical cluster to answer. Default 60 s. */
  timeoutMs?: number;
  /** Stops creating and waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Return as soon as the workspace reaches this phase (e.g. `Initializing` for workspaces whose type has an
   * initializer you will run). Default `Ready`.
   */
  untilPhase?: 'Initializing' | 'Ready';
}

/**
 * Creates a child workspace and waits until it is usable: phase Ready, and its LogicalCluster answers both
 * by name and by path (kcp's path index lags behind the phase). `client` may point anywhere on the shard.
 */
export async function createWorkspace(
  client: Client,
  options: CreateWorkspaceOptions = {},
): Promise<KcpWorkspace> {
  const parent = options.parent ?? 'root';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const inParent = client.withServer(clusterUrl(client.rest.server, parent));
  const body: Workspace = {
    metadata: {
      ...(options.name ? { name: options.name } : { generateName: options.generateName ?? 'ws-' }),
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: {
      type: options.type ?? { name: 'universal', path: 'root' },
      ...(options.location ? { location: options.location } : {}),
    },
  };
  // Admission caches for workspace types may lag right after kcp starts: retry 403/404 for a while. A busy
  // kcp can also refuse the create in admission (500 "resource quota evaluation timed out"): nothing was
  // stored then, so trying again is safe.
  const created = await waitFor(
    async () => {
      try {
        return await inParent.create(WorkspaceResource, body, signalOpt(options.signal));
      } catch (err) {
        if (isAlreadyExists(err) && options.name) return inParent.get(WorkspaceResource, options.name);
        throw err;
      }
    },
    {
      what: `workspace ${options.name ?? `${body.metadata.generateName}*`} to be created in ${parent}`,
      timeoutMs,
      retryOn: (err) => isForbidden(err) || isNotFound(err) || isAdmissionTimeout(err),
      ...signalOpt(options.signal),
    },
  );
  const name = created.metadata.name as string;
  const path = `${parent}:${name}`;
  const untilPhase = options.untilPhase ?? 'Ready';
  let last: Workspace = created;
  const ready = await waitFor(
    async () => {
      last = await inParent.get(WorkspaceResource, name, signalOpt(options.signal));
      const phase = last.status?.phase;
      return phase === untilPhase || (untilPhase === 'Initializing' && phase === 'Ready') ? last : undefined;
    },
    {
      what: `workspace ${path} to reach phase ${untilPhase}`,
      timeoutMs,
      describe: () => `phase ${last.status?.phase ?? '(none)'}`,
      ...signalOpt(options.signal),
    },
  );
  const clusterName = ready.spec?.cluster;
  if (!clusterName) throw new Error(`workspace ${path} is ${ready.status?.phase} but has no spec.cluster`);
  if (untilPhase === 'Ready') {
    await waitFor(
      async () => {
        await client
          .withServer(clusterUrl(client.rest.server, clusterName))
          .get(LogicalClusterResource, 'cluster');
        await client.withServer(clusterUrl(client.rest.server, path)).get(LogicalClusterResource, 'cluster');
        return true;
      },
      {
        what: `logical cluster of ${path} to answer by name and by path`,
        timeoutMs,
        ...signalOpt(options.signal),
      },
    );
  }
  return { path, clusterName, name, url: ready.spec?.URL ?? clusterUrl(client.rest.server, path) };
}

/** kcp's answer when an admission plugin (resource quota) timed out under load; the object was not stored. */
function isAdmissionTimeout(err: unknown): boolean {
  return err instanceof ApiError && err.code === 500 && /evaluation timed out/.test(err.status.message ?? '');
}

/** Deletes a workspace (and, asynchronously, everything in it). A missing workspace is not an error. */
export async function deleteWorkspace(client: Client, path: string): Promise<void> {
  const i = path.lastIndexOf(':');
  if (i < 0) throw new TypeError(`cannot delete ${path}: not a child workspace path`);
  try {
    await client
      .withServer(clusterUrl(client.rest.server, path.slice(0, i)))
      .delete(WorkspaceResource, path.slice(i + 1));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The logical cluster name of a workspace path (reads its LogicalCluster's `kcp.io/cluster`). */
export async function logicalClusterName(client: Client, path: string): Promise<string> {
  const lc = await client
    .withServer(clusterUrl(client.rest.server, path))
    .get(LogicalClusterResource, 'cluster');
  const name = lc.metadata.annotations?.[CLUSTER_ANNOTATION];
  if (!name) throw new Error(`the LogicalCluster of ${path} carries no ${CLUSTER_ANNOTATION} annotation`);
  return name;
}

/** The workspace path of a logical cluster (reads its LogicalCluster's `kcp.io/path`). */
export async function workspacePath(client: Client, clusterName: string): Promise<string> {
  const lc = await client
    .withServer(clusterUrl(client.rest.server, clusterName))
    .get(LogicalClusterResource, 'cluster');
  const path = lc.metadata.annotations?.[PATH_ANNOTATION];
  if (!path) throw new Error(`the LogicalCluster ${clusterName} carries no ${PATH_ANNOTATION} annotation`);
  return path;
}

function signalOpt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
