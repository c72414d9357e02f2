import {
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  NamespaceResource,
  isAlreadyExists,
} from '@kubeloom/core';
import { APIServiceExportResource } from '../api/apiserviceexport.ts';
import { APIServiceNamespaceResource } from '../api/apiservicenamespace.ts';
import { ensureNamespaceGrants, exportGrantOf } from './consumer-rbac.ts';

/** The annotation on a provider Namespace naming the APIServiceNamespace (`<clusterNs>/<name>`) it serves. */
export const API_SERVICE_NAMESPACE_ANNOTATION = 'kube-bind.io/api-service-namespace';

/** The provider namespace of a consumer namespace: `<clusterNs>-<consumerNs>` (kept apart per consumer). */
export function providerNamespaceName(clusterNamespace: string, consumerNamespace: string): string {
  return `${clusterNamespace}-${consumerNamespace}`;
}

/**
 * The backend's APIServiceNamespace controller: for each APIServiceNamespace (named like a consumer
 * namespace, in a consumer's cluster namespace) it creates the provider Namespace that holds that consumer
 * namespace's objects, grants the consumer's konnector what its exports give it there, and writes the
 * namespace's name into `status.namespace`. Runs on the provider cluster or
 * workspace(s) it is engaged with (`clusters` as in `ControllerBuilder.for`).
 */
export function serviceNamespaceController(
  options: ControllerOptions & { clusters?: 'local' | 'provider' | 'all' } = {},
): Controller {
  const { clusters = 'provider', ...controllerOptions } = options;
  return new ControllerBuilder('kube-bind-backend-servicenamespace')
    .for(APIServiceNamespaceResource, { clusters })
    .withOptions({ maxConcurrentReconciles: 2, ...controllerOptions })
    .build(async (req, { cluster }) => {
      const asn = cluster.cache.reader(APIServiceNamespaceResource).get(req.name, req.namespace);
      if (!asn || asn.metadata.deletionTimestamp) return;
      const namespace = providerNamespaceName(req.namespace, req.name);
      try {
        await cluster.client.create(NamespaceResource, {
          metadata: {
            name: namespace,
            annotations: { [API_SERVICE_NAMESPACE_ANNOTATION]: `${req.namespace}/${req.name}` },
          },
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      // The konnector's access to the namespace comes before the namespace is announced, so it can watch
      // it as soon as it learns of it.
      const exports = await cluster.client.list(APIServiceExportResource, { namespace: req.namespace });
      await ensureNamespaceGrants(cluster.client, req.namespace, namespace, exports.items.map(exportGrantOf));
      if (asn.status?.namespace === namespace) return;
      await cluster.client.patch(
        APIServiceNamespaceResource,
        req.name,
        { status: { namespace } },
        { namespace: req.namespace, subresource: 'status' },
      );
    });
}
