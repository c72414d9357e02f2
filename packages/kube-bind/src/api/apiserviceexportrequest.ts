import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { KubeBindCondition } from './conditions.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION, type ResourceRef } from './group.ts';

/** A label selector, as in Kubernetes (`matchLabels` and `matchExpressions`, ANDed). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

/**
 * Which objects of a claimed resource are claimed: named ones, labelled ones, and (not supported by this
 * konnector) ones referenced from bound objects; the parts that are set are ANDed.
 */
export interface ClaimSelector {
  namedResources?: Array<{ name: string; namespace?: string }>;
  labelSelector?: LabelSelector;
  references?: unknown[];
}

/**
 * A permission claim of an export: objects of another resource (kube-bind allows core ConfigMaps, Secrets
 * and ServiceAccounts) that travel between consumer and provider with the bound objects, in the direction
 * their `kube-bind.io/owner` label says.
 */
export interface PermissionClaim {
  group: string;
  resource: string;
  selector?: ClaimSelector;
}

/**
 * An APIServiceExportRequest (on the provider, in a consumer's cluster namespace): asks the backend for an
 * APIServiceExport of the same name, with a BoundSchema per resource; answered in `status.phase`.
 */
export interface APIServiceExportRequest extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    parameters?: Record<string, unknown>;
    resources: ResourceRef[];
    permissionClaims?: PermissionClaim[];
    namespaces?: Array<{ name: string }>;
    schemaUpdatePolicy?: 'Never' | 'Always';
  };
  status?: {
    phase?: 'Pending' | 'Failed' | 'Succeeded';
    terminalMessage?: string;
    conditions?: KubeBindCondition[];
  };
}

/** kube-bind.io/v1alpha2 APIServiceExportRequests. */
export const APIServiceExportRequestResource = defineResource<APIServiceExportRequest>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'APIServiceExportRequest',
  plural: 'apiserviceexportrequests',
  namespaced: true,
});
