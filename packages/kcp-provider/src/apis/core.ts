import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';
import type { LogicalClusterPhase } from './tenancy.ts';

/** The annotation on a LogicalCluster that holds its workspace path (e.g. `root:org:team`). */
export const PATH_ANNOTATION = 'kcp.io/path';

/** core.kcp.io/v1alpha1 LogicalCluster: the one object named `cluster` in every workspace. */
export interface LogicalCluster extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    directlyDeletable?: boolean;
    owner?: {
      apiVersion: string;
      resource: string;
      name: string;
      namespace?: string;
      cluster: string;
      uid: string;
    };
    initializers?: string[];
    terminators?: string[];
  };
  status?: {
    URL?: string;
    phase?: LogicalClusterPhase;
    conditions?: Condition[];
    initializers?: string[];
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
  metadata: ObjectMeta;
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
