import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { Condition } from './conditions.ts';

/** One served version of an APIResourceSchema (CRD-like). */
export interface APIResourceVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  /** OpenAPI v3 schema of the object. */
  schema: Record<string, unknown>;
  subresources?: { status?: Record<string, never>; scale?: Record<string, unknown> };
  additionalPrinterColumns?: Array<Record<string, unknown>>;
}

/** apis.kcp.io/v1alpha1 APIResourceSchema: an immutable, CRD-like API definition an APIExport exports. */
export interface APIResourceSchema extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    group: string;
    names: {
      plural: string;
      singular?: string;
      kind: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: 'Cluster' | 'Namespaced';
    versions: APIResourceVersion[];
    nameValidation?: 'DNS1123Subdomain' | 'PathSegmentName';
    conversion?: Record<string, unknown>;
  };
}

/** A resource an APIExport exports (v1alpha2). */
export interface ResourceSchema {
  /** Plural resource name. */
  name: string;
  group: string;
  /** Name of the APIResourceSchema. */
  schema: string;
  storage?: { crd?: Record<string, never>; virtual?: Record<string, unknown> };
}

/** A permission claim of an APIExport: access the provider wants to objects in consumer workspaces. */
export interface PermissionClaim {
  group: string;
  resource: string;
  /** Required; copied literally into accepting bindings (the effective verbs are the literal intersection). */
  verbs: string[];
  /** `''` for built-in and kcp system resources; the providing export's identity for bound resources. */
  identityHash?: string;
}

/** apis.kcp.io/v1alpha2 APIExport. */
export interface APIExport extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    resources?: ResourceSchema[];
    identity?: { secretRef?: { namespace: string; name: string } };
    maximalPermissionPolicy?: { local?: Record<string, never> };
    permissionClaims?: PermissionClaim[];
  };
  status?: {
    identityHash?: string;
    conditions?: Condition[];
  };
}

/** Which objects a binding's accepted claim covers. Exactly one field must be set. */
export interface ClaimSelector {
  matchAll?: boolean;
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A permission claim as accepted (or rejected) in an APIBinding (v1alpha2). */
export interface AcceptablePermissionClaim extends PermissionClaim {
  identityHash: string;
  selector: ClaimSelector;
  state: 'Accepted' | 'Rejected';
}

/** apis.kcp.io/v1alpha2 APIBinding: a consumer workspace's binding to an APIExport. */
export interface APIBinding extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    reference: { export: { path?: string; name: string } };
    permissionClaims?: AcceptablePermissionClaim[];
  };
  status?: {
    /** Logical cluster name of the export's workspace. */
    apiExportClusterName?: string;
    phase?: '' | 'Binding' | 'Bound';
    boundResources?: Array<{
      group: string;
      resource: string;
      schema: { name: string; UID: string; identityHash: string };
      storageVersions?: string[];
    }>;
    conditions?: Condition[];
    appliedPermissionClaims?: unknown[];
    exportPermissionClaims?: unknown[];
  };
}

/** Which shards one endpoint of an APIExportEndpointSlice serves (kcp after v0.32). */
export interface EndpointShards {
  matchAll?: boolean;
  selector?: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
}

/** apis.kcp.io/v1alpha1 APIExportEndpointSlice: where (per shard) an export's virtual workspace is served. */
export interface APIExportEndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    export: { path?: string; name: string };
    partition?: string;
  };
  status?: {
    /**
     * One entry per shard that serves the export's virtual workspace. Releases after kcp v0.32 add, per
     * endpoint, the shards it serves (`shards: { matchAll?: true; selector?: LabelSelector }`); the URL stays
     * the key, and any further field is carried along untouched.
     */
    endpoints?: Array<{ url: string; shards?: EndpointShards; [field: string]: unknown }>;
    shardSelector?: string;
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
