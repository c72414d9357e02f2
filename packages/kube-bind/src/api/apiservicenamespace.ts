import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION } from './group.ts';

/**
 * An APIServiceNamespace (on the provider, in a consumer's cluster namespace), named like a consumer
 * namespace; the backend sets `status.namespace` to the provider namespace that holds its objects.
 */
export interface APIServiceNamespace extends KubeObject {
  metadata: ObjectMeta;
  spec?: Record<string, never>;
  status?: { namespace?: string };
}

/** kube-bind.io/v1alpha2 APIServiceNamespaces. */
export const APIServiceNamespaceResource = defineResource<APIServiceNamespace>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'APIServiceNamespace',
  plural: 'apiservicenamespaces',
  namespaced: true,
});
