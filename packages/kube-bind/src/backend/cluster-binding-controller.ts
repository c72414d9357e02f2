import { type Controller, ControllerBuilder, type ControllerOptions } from '@kubeloom/core';
import { ClusterBindingResource } from '../api/clusterbinding.ts';
import { sameConditions, setCondition, setReadySummary } from '../api/conditions.ts';
import { heartbeatHealth, parseGoDuration } from './heartbeat-health.ts';
import { refreshKonnectorKubeconfig } from './konnector-credentials.ts';

/** What the ClusterBinding controller needs besides controller options. */
export interface ClusterBindingControllerOptions extends ControllerOptions {
  readonly clusters?: 'local' | 'provider' | 'all';
  /** The provider API server URL and CA the konnector kubeconfigs point at. */
  readonly externalServer: string;
  readonly certificateAuthorityData?: string;
  /** Lifetime of the konnector tokens the backend mints; renewed when half of it has passed. */
  readonly tokenLifetimeSeconds: number;
}

/**
 * The backend's ClusterBinding controller: judges the konnector's health from its heartbeats (condition
 * `Healthy`, then `Ready`) and renews the konnector's token before it expires, writing the new kubeconfig
 * into the Secret the ClusterBinding names (the konnector copies it to the consumer: credential rotation).
 * It looks again after one heartbeat interval, so a konnector that stops beating is noticed.
 */
export function clusterBindingController(options: ClusterBindingControllerOptions): Controller {
  const {
    clusters = 'provider',
    externalServer,
    certificateAuthorityData,
    tokenLifetimeSeconds,
    ...controllerOptions
  } = options;
  return new ControllerBuilder('kube-bind-backend-clusterbinding')
    .for(ClusterBindingResource, { clusters })
    .withOptions({ maxConcurrentReconciles: 2, ...controllerOptions })
    .build(async (req, { cluster }) => {
      const binding = cluster.cache.reader(ClusterBindingResource).get(req.name, req.namespace);
      if (!binding || binding.metadata.deletionTimestamp) return undefined;
      const renewInMs = await refreshKonnectorKubeconfig(cluster.client, binding, {
        externalServer,
        ...(certificateAuthorityData ? { certificateAuthorityData } : {}),
        tokenLifetimeSeconds,
      });
      const now = Date.now();
      const conditions = setReadySummary(
        setCondition(binding.status?.conditions, heartbeatHealth(binding, now)),
        ['Healthy'],
      );
      if (!sameConditions(conditions, binding.status?.conditions)) {
        await cluster.client.patch(
          ClusterBindingResource,
          req.name,
          { status: { conditions } },
          { namespace: req.namespace, subresource: 'status' },
        );
      }
      const interval = parseGoDuration(binding.status?.heartbeatInterval) ?? 60_000;
      return { requeueAfter: Math.min(interval, renewInMs) };
    });
}
