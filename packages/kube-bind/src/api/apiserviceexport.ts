import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { KubeBindCondition } from './conditions.ts';
import type { PermissionClaim } from './apiserviceexportrequest.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION, type ResourceRef } from './group.ts';

/** How consumers' cluster-scoped objects are kept apart on the provider. */
export type Isolation = 'Prefixed' | 'Namespaced' | 'None';

/**
 * An APIServiceExport (on the provider, in a consumer's cluster namespace): the resources a binding of the
 * same name materialises, each the BoundSchema `<resource>.<group>` next to it.
 */
export interface APIServiceExport extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    resources: ResourceRef[];
    permissionClaims?: PermissionClaim[];
    informerScope: 'Cluster' | 'Namespaced';
    isolation?: Isolation;
    /** Deprecated alias of `isolation`. */
    clusterScopedIsolation?: Isolation;
  };
  status?: { conditions?: KubeBindCondition[] };
}

/** kube-bind.io/v1alpha2 APIServiceExports. */
export const APIServiceExportResource = defineResource<APIServiceExport>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'APIServiceExport',
  plural: 'apiserviceexports',
  namespaced: true,
});

/** The export's isolation, reading the deprecated alias when `isolation` is unset; default `Prefixed`. */
export function isolationOf(exported: APIServiceExport): Isolation {
  return exported.spec.isolation ?? exported.spec.clusterScopedIsolation ?? 'Prefixed';
}
