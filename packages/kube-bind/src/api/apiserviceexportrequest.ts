import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { KubeBindCondition } from './conditions.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION, type ResourceRef } from './group.ts';

/**
 * An APIServiceExportRequest (on the provider, in a consumer's cluster namespace): asks the backend for an
 * APIServiceExport of the same name, with a BoundSchema per resource; answered in `status.phase`.
 */
export interface APIServiceExportRequest extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    parameters?: Record<string, unknown>;
    resources: ResourceRef[];
    permissionClaims?: unknown[];
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
