import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';

/** Reference to a WorkspaceType: its name and the path of the workspace it lives in. */
export interface WorkspaceTypeReference {
  name: string;
  path?: string;
}

/** Lifecycle phase of a workspace / logical cluster. */
export type LogicalClusterPhase =
  | 'Scheduling'
  | 'Initializing'
  | 'Ready'
  | 'Unavailable'
  | 'Inactive'
  | 'Terminating'
  | 'Deleting';

/** tenancy.kcp.io/v1alpha1 Workspace: a child workspace, backed by a logical cluster. */
export interface Workspace extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    type?: WorkspaceTypeReference;
    location?: { selector?: { matchLabels?: Record<string, string> } };
    /** Logical cluster name, set by the system. */
    cluster?: string;
    /** `<shard URL>/clusters/<path>`, set by the system. */
    URL?: string;
    mount?: { ref: { apiVersion: string; kind: string; name: string; namespace?: string } };
  };
  status?: {
    phase?: LogicalClusterPhase;
    conditions?: Condition[];
    initializers?: string[];
    terminators?: string[];
  };
}

/** tenancy.kcp.io/v1alpha1 WorkspaceType. */
export interface WorkspaceType extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    initializer?: boolean;
    terminator?: boolean;
    extend?: { with?: WorkspaceTypeReference[] };
    defaultChildWorkspaceType?: WorkspaceTypeReference;
    defaultAPIBindings?: Array<{ path?: string; export: string }>;
    limitAllowedChildren?: { none?: boolean; types?: WorkspaceTypeReference[] };
    limitAllowedParents?: { none?: boolean; types?: WorkspaceTypeReference[] };
    [key: string]: unknown;
  };
  status?: {
    conditions?: Condition[];
    virtualWorkspaces?: Array<{ url: string; type?: 'initializing' | 'terminating' }>;
  };
}

/** tenancy.kcp.io/v1alpha1 workspaces. */
export const WorkspaceResource = defineResource<Workspace>({
  group: 'tenancy.kcp.io',
  version: 'v1alpha1',
  kind: 'Workspace',
  plural: 'workspaces',
  namespaced: false,
});

/** tenancy.kcp.io/v1alpha1 workspacetypes. */
export const WorkspaceTypeResource = defineResource<WorkspaceType>({
  group: 'tenancy.kcp.io',
  version: 'v1alpha1',
  kind: 'WorkspaceType',
  plural: 'workspacetypes',
  namespaced: false,
});
