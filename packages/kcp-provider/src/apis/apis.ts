import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';

/** One served version of an APIResourceSchema (CRD-like). */
export interface APIResourceVersion {
  /** The version name, e.g. `v1`. */
  name: string;
  /** Whether the version is served through the REST API. */
  served: boolean;
  /** Whether objects are stored in this version; exactly one version is the storage version. */
  storage: boolean;
  /** Whether the version is deprecated: requests get a warning header. */
  deprecated?: boolean;
  /** The warning sent to clients instead of the default one for a deprecated version. */
  deprecationWarning?: string;
  /** OpenAPI v3 schema of the object. */
  schema: Record<string, unknown>;
  /** The subresources the version serves, as on a CRD version. */
  subresources?: {
    /** Present if objects have a status subresource (`/status`). */
    status?: Record<string, never>;
    /** The scale subresource's JSON paths, if the version has one. */
    scale?: Record<string, unknown>;
  };
  /** Columns `kubectl get` shows, as on a CRD version. */
  additionalPrinterColumns?: Array<Record<string, unknown>>;
}

/** apis.kcp.io/v1alpha1 APIResourceSchema: an immutable, CRD-like API definition an APIExport exports. */
export interface APIResourceSchema extends KubeObject {
  /** Its name is conventionally `<prefix>.<plural>.<group>`; the schema never changes once created. */
  metadata: ObjectMeta;
  /** The API it defines, in a CRD's terms. */
  spec: {
    /** API group of the resource, e.g. `widgets.example.io`'s `example.io`. */
    group: string;
    /** The resource's names, as on a CRD. */
    names: {
      /** Lower-case plural used in URLs, e.g. `widgets`. */
      plural: string;
      /** Lower-case singular, e.g. `widget`. */
      singular?: string;
      /** The kind of its objects, e.g. `Widget`. */
      kind: string;
      /** The kind of its lists, e.g. `WidgetList`. */
      listKind?: string;
      /** Short names `kubectl` accepts. */
      shortNames?: string[];
      /** Groupings such as `all` that `kubectl get <category>` expands. */
      categories?: string[];
    };
    /** Whether objects live in namespaces. */
    scope: 'Cluster' | 'Namespaced';
    /** The versions, each with its schema. */
    versions: APIResourceVersion[];
    /** Which names objects may have: DNS subdomains (the default) or path segments. */
    nameValidation?: 'DNS1123Subdomain' | 'PathSegmentName';
    /** How objects are converted between versions, as on a CRD. */
    conversion?: Record<string, unknown>;
  };
}

/** A resource an APIExport exports (v1alpha2). */
export interface ResourceSchema {
  /** Plural resource name. */
  name: string;
  /** API group of the resource. */
  group: string;
  /** Name of the APIResourceSchema. */
  schema: string;
  /** Where objects are stored: as CRD-like objects in etcd (`crd`), or served by a virtual workspace. */
  storage?: {
    /** Stored like custom resources; the usual choice. */
    crd?: Record<string, never>;
    /** Served by a virtual workspace instead of stored. */
    virtual?: Record<string, unknown>;
  };
}

/** A permission claim of an APIExport: access the provider wants to objects in consumer workspaces. */
export interface PermissionClaim {
  /** API group of the claimed resource; `''` for the core group. */
  group: string;
  /** Plural of the claimed resource, e.g. `configmaps`. */
  resource: string;
  /** Required; copied literally into accepting bindings (the effective verbs are the literal intersection). */
  verbs: string[];
  /** `''` for built-in and kcp system resources; the providing export's identity for bound resources. */
  identityHash?: string;
}

/** apis.kcp.io/v1alpha2 APIExport. */
export interface APIExport extends KubeObject {
  /** Consumers bind to the export by this name (and the path of its workspace). */
  metadata: ObjectMeta;
  /** What the export offers and what it asks for. */
  spec?: {
    /** The resources bound workspaces get, each defined by an APIResourceSchema. */
    resources?: ResourceSchema[];
    /** The Secret holding the export's identity; generated when not given. */
    identity?: {
      /** Where the identity Secret is, in the export's workspace. */
      secretRef?: {
        /** Namespace of the Secret. */
        namespace: string;
        /** Name of the Secret. */
        name: string;
      };
    };
    /** Limits what consumers may do with the exported resources, from RBAC in the export's workspace. */
    maximalPermissionPolicy?: {
      /** The policy is RBAC in the export's own workspace. */
      local?: Record<string, never>;
    };
    /** Access the provider asks for to other resources in consumer workspaces. */
    permissionClaims?: PermissionClaim[];
  };
  /** What kcp made of the export. */
  status?: {
    /** Hash of the identity; claims on this export's resources in other exports carry it. */
    identityHash?: string;
    /** The export's conditions, e.g. `IdentityValid`. */
    conditions?: Condition[];
  };
}

/** Which objects a binding's accepted claim covers. Exactly one field must be set. */
export interface ClaimSelector {
  /** Every object of the claimed resource. */
  matchAll?: boolean;
  /** Objects whose labels include all of these. */
  matchLabels?: Record<string, string>;
  /** Objects whose labels satisfy all of these requirements. */
  matchExpressions?: Array<{
    /** The label key. */
    key: string;
    /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
    operator: string;
    /** The values for `In` and `NotIn`. */
    values?: string[];
  }>;
}

/** A permission claim as accepted (or rejected) in an APIBinding (v1alpha2). */
export interface AcceptablePermissionClaim extends PermissionClaim {
  /** The identity hash of the claimed resource, as the export states it (`''` for built-in resources). */
  identityHash: string;
  /** Which objects the acceptance covers. */
  selector: ClaimSelector;
  /** Whether the consumer grants the claim. */
  state: 'Accepted' | 'Rejected';
}

/** apis.kcp.io/v1alpha2 APIBinding: a consumer workspace's binding to an APIExport. */
export interface APIBinding extends KubeObject {
  /** Conventionally named after the export it binds. */
  metadata: ObjectMeta;
  /** Which export to bind and which of its claims to grant. */
  spec: {
    /** The export to bind. */
    reference: {
      /** The export, by the path of its workspace and its name. */
      export: {
        /** Workspace path of the export, e.g. `root:providers`; default the binding's own workspace. */
        path?: string;
        /** Name of the APIExport. */
        name: string;
      };
    };
    /** The consumer's answers to the export's permission claims. */
    permissionClaims?: AcceptablePermissionClaim[];
  };
  /** What kcp made of the binding. */
  status?: {
    /** Logical cluster name of the export's workspace. */
    apiExportClusterName?: string;
    /** `Bound` once the exported resources are served in the workspace. */
    phase?: '' | 'Binding' | 'Bound';
    /** The resources the binding serves in the workspace. */
    boundResources?: Array<{
      /** API group of the resource. */
      group: string;
      /** Plural of the resource. */
      resource: string;
      /** The APIResourceSchema it is served from. */
      schema: {
        /** Name of the APIResourceSchema. */
        name: string;
        /** UID of the APIResourceSchema. */
        UID: string;
        /** Identity hash of the export that owns the resource. */
        identityHash: string;
      };
      /** Versions objects of the resource have been stored in. */
      storageVersions?: string[];
    }>;
    /** The binding's conditions, e.g. `Ready`, `APIExportValid`. */
    conditions?: Condition[];
    /** The claims kcp applied to the workspace. */
    appliedPermissionClaims?: unknown[];
    /** The claims the export makes, as last seen. */
    exportPermissionClaims?: unknown[];
  };
}

/** Which shards one endpoint of an APIExportEndpointSlice serves (kcp after v0.32). */
export interface EndpointShards {
  /** The endpoint serves every shard. */
  matchAll?: boolean;
  /** The endpoint serves the shards whose labels match. */
  selector?: {
    /** Shards whose labels include all of these. */
    matchLabels?: Record<string, string>;
    /** Shards whose labels satisfy all of these requirements. */
    matchExpressions?: Array<{
      /** The label key. */
      key: string;
      /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
      operator: string;
      /** The values for `In` and `NotIn`. */
      values?: string[];
    }>;
  };
}

/** apis.kcp.io/v1alpha1 APIExportEndpointSlice: where (per shard) an export's virtual workspace is served. */
export interface APIExportEndpointSlice extends KubeObject {
  /** kcp creates one per export, in the export's workspace and named after it. */
  metadata: ObjectMeta;
  /** The export whose endpoints the slice lists. */
  spec: {
    /** The export, by the path of its workspace and its name. */
    export: {
      /** Workspace path of the export; default the slice's own workspace. */
      path?: string;
      /** Name of the APIExport. */
      name: string;
    };
    /** Name of a Partition that limits the slice to some shards. */
    partition?: string;
  };
  /** The endpoints, filled in by kcp. */
  status?: {
    /**
     * One entry per shard that serves the export's virtual workspace. Releases after kcp v0.32 add, per
     * endpoint, the shards it serves (`shards: { matchAll?: true; selector?: LabelSelector }`); the URL stays
     * the key, and any further field is carried along untouched.
     */
    endpoints?: Array<{
      /** The virtual workspace URL to list and watch the export's objects at. */
      url: string;
      /** The shards this endpoint serves (newer kcp). */
      shards?: EndpointShards;
      /** Fields of newer kcp releases, kept as they are. */
      [field: string]: unknown;
    }>;
    /** The partition's shard selector, as a label selector string. */
    shardSelector?: string;
    /** The slice's conditions. */
    conditions?: Condition[];
  };
}

/** apis.kcp.io/v1alpha1 apiresourceschemas. */
export const APIResourceSchemaResource = defineResource<APIResourceSchema>({
  group: 'apis.kcp.io',
  version: 'v1alpha1',
  kind: 'APIResourceSchema',
  plural: 'apiresourceschemas',
  namespaced: false,
});

/** apis.kcp.io/v1alpha2 apiexports (the storage version). */
export const APIExportResource = defineResource<APIExport>({
  group: 'apis.kcp.io',
  version: 'v1alpha2',
  kind: 'APIExport',
  plural: 'apiexports',
  namespaced: false,
});

/** apis.kcp.io/v1alpha2 apibindings (the storage version). */
export const APIBindingResource = defineResource<APIBinding>({
  group: 'apis.kcp.io',
  version: 'v1alpha2',
  kind: 'APIBinding',
  plural: 'apibindings',
  namespaced: false,
});

/** apis.kcp.io/v1alpha1 apiexportendpointslices. */
export const APIExportEndpointSliceResource = defineResource<APIExportEndpointSlice>({
  group: 'apis.kcp.io',
  version: 'v1alpha1',
  kind: 'APIExportEndpointSlice',
  plural: 'apiexportendpointslices',
  namespaced: false,
});
