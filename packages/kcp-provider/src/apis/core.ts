import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';
import type { LogicalClusterPhase } from './tenancy.ts';

/** The annotation on a LogicalCluster that holds its workspace path (e.g. `root:org:team`). */
export const PATH_ANNOTATION = 'kcp.io/path';

/** core.kcp.io/v1alpha1 LogicalCluster: the one object named `cluster` in every workspace. */
export interface LogicalCluster extends KubeObject {
  /** Always named `cluster`; the `kcp.io/path` annotation holds the workspace path. */
  metadata: ObjectMeta;
  /** Who owns the logical cluster and what must happen before it is ready or gone. */
  spec?: {
    /** Whether it may be deleted directly, not only through its owner (the Workspace). */
    directlyDeletable?: boolean;
    /** The object that owns it, usually the Workspace in the parent workspace. */
    owner?: {
      /** `apiVersion` of the owner, e.g. `tenancy.kcp.io/v1alpha1`. */
      apiVersion: string;
      /** Plural of the owner's resource, e.g. `workspaces`. */
      resource: string;
      /** Name of the owner. */
      name: string;
      /** Namespace of the owner, if it is namespaced. */
      namespace?: string;
      /** Logical cluster the owner lives in. */
      cluster: string;
      /** UID of the owner. */
      uid: string;
    };
    /** Initializers the workspace type asks for, copied at creation. */
    initializers?: string[];
    /** Terminators the workspace type asks for, copied at creation. */
    terminators?: string[];
  };
  /** Where the workspace is served and how far its lifecycle is. */
  status?: {
    /** URL of the workspace on its shard. */
    URL?: string;
    /** Lifecycle phase, e.g. `Initializing`, `Ready`. */
    phase?: LogicalClusterPhase;
    /** The logical cluster's conditions, e.g. `WorkspaceInitialized`. */
    conditions?: Condition[];
    /** Initializers that have not finished yet; the workspace is `Ready` once this is empty. */
    initializers?: string[];
    /** Terminators that have not finished yet; deletion completes once this is empty. */
    terminators?: string[];
  };
}

/** core.kcp.io/v1alpha1 logicalclusters. */
export const LogicalClusterResource = defineResource<LogicalCluster>({
  group: 'core.kcp.io',
  version: 'v1alpha1',
  kind: 'LogicalCluster',
  plural: 'logicalclusters',
  namespaced: false,
});

/** core.kcp.io/v1alpha1 Shard: one kcp server of a sharded installation, registered in `root`. */
export interface Shard extends KubeObject {
  /** Named after the shard; the label `name=<shard>` is what workspaces select on. */
  metadata: ObjectMeta;
  /** Where the shard and its workspaces are reached. */
  spec?: {
    /** Where the shard itself is reached (by the front proxy and other shards). */
    baseURL?: string;
    /** Where clients reach workspaces on it (usually the front proxy). */
    externalURL?: string;
    /** Where its virtual workspaces are served; endpoint slices list URLs under it. */
    virtualWorkspaceURL?: string;
  };
}

/** core.kcp.io/v1alpha1 shards (in `root`; each carries the label `name=<shard>`, which workspaces select on). */
export const ShardResource = defineResource<Shard>({
  group: 'core.kcp.io',
  version: 'v1alpha1',
  kind: 'Shard',
  plural: 'shards',
  namespaced: false,
});
