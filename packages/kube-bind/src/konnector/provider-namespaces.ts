import { type Client, isAlreadyExists, isNotFound } from '@kubeloom/core';
import { type APIServiceNamespace, APIServiceNamespaceResource } from '../api/apiservicenamespace.ts';
import { KUBE_BIND_API_VERSION } from '../api/group.ts';
import { OWNER_LABEL } from '../api/labels.ts';

/**
 * The provider namespace of a consumer namespace, from the APIServiceNamespace named like it in the
 * cluster namespace. A missing one is created (owned by the export, labelled as the consumer's); undefined
 * until the backend has filled in `status.namespace`.
 */
export async function providerNamespaceOf(
  provider: Client,
  clusterNamespace: string,
  consumerNamespace: string,
  exportRef: { name: string; uid: string },
): Promise<string | undefined> {
  let asn: APIServiceNamespace;
  try {
    asn = await provider.get(APIServiceNamespaceResource, consumerNamespace, { namespace: clusterNamespace });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      asn = await provider.create(APIServiceNamespaceResource, {
        metadata: {
          name: consumerNamespace,
          namespace: clusterNamespace,
          labels: { [OWNER_LABEL]: 'consumer' },
          ownerReferences: [
            {
              apiVersion: KUBE_BIND_API_VERSION,
              kind: 'APIServiceExport',
              name: exportRef.name,
              uid: exportRef.uid,
              controller: true,
            },
          ],
        },
        spec: {},
      });
    } catch (createError) {
      if (!isAlreadyExists(createError)) throw createError;
      return undefined;
    }
  }
  return asn.status?.namespace || undefined;
}
