import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { PermissionClaim } from './apiserviceexportrequest.ts';
import type { KubeBindCondition } from './conditions.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION, type SecretKeyRef } from './group.ts';

/**
 * An APIServiceBinding (cluster-scoped, on the consumer): binds the APIServiceExport of the same name in
 * the provider's cluster namespace, reached with the kubeconfig in `spec.kubeconfigSecretRef` (whose
 * current context names that namespace).
 */
export interface APIServiceBinding extends KubeObject {
  metadata: ObjectMeta;
  spec: { kubeconfigSecretRef: SecretKeyRef };
  status?: {
    providerPrettyName?: string;
    conditions?: KubeBindCondition[];
    boundSchemas?: Array<{ group: string; resource: string }>;
    permissionClaims?: PermissionClaim[];
  };
}

/** kube-bind.io/v1alpha2 APIServiceBindings. */
export const APIServiceBindingResource = defineResource<APIServiceBinding>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'APIServiceBinding',
  plural: 'apiservicebindings',
  namespaced: false,
});

/**
 * The binding's condition types: the first four in the order the `Ready` summary reads them;
 * `PermissionClaimsSynced` says whether every permission claim of the export is synced, and
 * `ProviderNamespacesWatched` whether every provider namespace of the consumer can be watched (neither holds
 * `Ready` back).
 */
export const BindingConditions = {
  SecretValid: 'SecretValid',
  Connected: 'Connected',
  SchemaInSync: 'SchemaInSync',
  Heartbeating: 'Heartbeating',
  PermissionClaimsSynced: 'PermissionClaimsSynced',
  ProviderNamespacesWatched: 'ProviderNamespacesWatched',
} as const;
