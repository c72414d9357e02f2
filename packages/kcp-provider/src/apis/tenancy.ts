import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';

/** Reference to a WorkspaceType: its name and the path of the workspace it lives in. */
export interface WorkspaceTypeReference {
  /** Name of the WorkspaceType, e.g. `universal`. */
  name: string;
  /** Path of the workspace that holds it, e.g. `root`; default the referring object's workspace. */
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
  /** The workspace's name, the last segment of its path. */
  metadata: ObjectMeta;
  /** What kind of workspace it is and where it is scheduled. */
  spec?: {
    /** Its WorkspaceType; default the parent's default child type. */
    type?: WorkspaceTypeReference;
    /** Which shard it is scheduled to. */
    location?: {
      /** Shards whose labels match (each Shard carries `name=<shard>`). */
      selector?: {
        /** Shard labels that must all be present. */
        matchLabels?: Record<string, string>;
      };
    };
    /** Logical cluster name, set by the system. */
    cluster?: string;
    /** `<shard URL>/clusters/<path>`, set by the system. */
    URL?: string;
    /** Serve the workspace from another object (a mount) instead of a logical cluster. */
    mount?: {
      /** The object that serves the workspace. */
      ref: {
        /** `apiVersion` of the mount object. */
        apiVersion: string;
        /** Kind of the mount object. */
        kind: string;
        /** Name of the mount object. */
        name: string;
        /** Namespace of the mount object, if namespaced. */
        namespace?: string;
      };
    };
  };
  /** How far the workspace's lifecycle is. */
  status?: {
    /** Lifecycle phase; `Ready` once scheduled and initialized. */
    phase?: LogicalClusterPhase;
    /** The workspace's conditions, e.g. `WorkspaceScheduled`. */
    conditions?: Condition[];
    /** Initializers that have not finished yet. */
    initializers?: string[];
    /** Terminators that have not finished yet. */
    terminators?: string[];
  };
}

/** tenancy.kcp.io/v1alpha1 WorkspaceType. */
export interface WorkspaceType extends KubeObject {
  /** Workspaces refer to the type by this name and the path of its workspace. */
  metadata: ObjectMeta;
  /** What workspaces of this type get and where they may appear. */
  spec?: {
    /** Workspaces of this type wait for an initializer (named after the type) before they are ready. */
    initializer?: boolean;
    /** Deletion of workspaces of this type waits for a terminator (named after the type). */
    terminator?: boolean;
    /** Types this one extends: their initializers, bindings and limits apply too. */
    extend?: {
      /** The extended types. */
      with?: WorkspaceTypeReference[];
    };
    /** The type of child workspaces created without one. */
    defaultChildWorkspaceType?: WorkspaceTypeReference;
    /** APIBindings every new workspace of this type gets. */
    defaultAPIBindings?: Array<{
      /** Workspace path of the export; default the type's own workspace. */
      path?: string;
      /** Name of the APIExport. */
      export: string;
    }>;
    /** Which types child workspaces may have. */
    limitAllowedChildren?: {
      /** No children at all. */
      none?: boolean;
      /** Only children of these types. */
      types?: WorkspaceTypeReference[];
    };
    /** Which types parent workspaces may have. */
    limitAllowedParents?: {
      /** Only top-level use. */
      none?: boolean;
      /** Only under parents of these types. */
      types?: WorkspaceTypeReference[];
    };
    /** Fields of newer kcp releases, kept as they are. */
    [key: string]: unknown;
  };
  /** What kcp made of the type. */
  status?: {
    /** The type's conditions. */
    conditions?: Condition[];
    /** The initializing and terminating virtual workspaces of the type, where its initializer and terminator work. */
    virtualWorkspaces?: Array<{
      /** URL of the virtual workspace. */
      url: string;
      /** Which one it is. */
      type?: 'initializing' | 'terminating';
    }>;
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
