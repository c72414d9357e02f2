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
