import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { KubeBindCondition } from './conditions.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION } from './group.ts';

/** The one name a ClusterBinding may have. */
export const CLUSTER_BINDING_NAME = 'cluster';

/**
 * A ClusterBinding (on the provider, one per cluster namespace, named `cluster`): names the provider Secret
 * with the konnector's current kubeconfig; the konnector writes its heartbeat into the status.
 */
export interface ClusterBinding extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    kubeconfigSecretRef: { name: string; key: string };
    providerPrettyName: string;
    serviceProviderSpec?: Record<string, unknown>;
  };
  status?: {
    lastHeartbeatTime?: string;
    /** A Go duration, e.g. `5m0s`. */
    heartbeatInterval?: string;
    konnectorVersion?: string;
    consumerSecretRef?: { name: string; namespace: string };
    conditions?: KubeBindCondition[];
  };
}

/** kube-bind.io/v1alpha2 ClusterBindings. */
export const ClusterBindingResource = defineResource<ClusterBinding>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'ClusterBinding',
  plural: 'clusterbindings',
  namespaced: true,
});
