import type { APIResourceSchema } from '@kubeloom/kcp-provider';
import type { BoundSchema } from '../api/boundschema.ts';
import { boundSchemaName } from '../api/boundschema.ts';
import { KUBE_BIND_API_VERSION } from '../api/group.ts';

/**
 * The BoundSchema a consumer's export gets from an APIResourceSchema: the same group, names, scope and
 * versions (an APIResourceSchema version already holds the OpenAPI schema itself, as a BoundSchema does),
 * in the consumer's cluster namespace, owned by the export.
 */
export function boundSchemaFromApiResourceSchema(
  ars: APIResourceSchema,
  clusterNamespace: string,
  owner: { name: string; uid: string },
): BoundSchema {
  return {
    apiVersion: KUBE_BIND_API_VERSION,
    kind: 'BoundSchema',
    metadata: {
      name: boundSchemaName(ars.spec.group, ars.spec.names.plural),
      namespace: clusterNamespace,
      ownerReferences: [
        {
          apiVersion: KUBE_BIND_API_VERSION,
          kind: 'APIServiceExport',
          name: owner.name,
          uid: owner.uid,
          controller: true,
        },
      ],
    },
    spec: {
      group: ars.spec.group,
      names: { ...ars.spec.names },
      scope: ars.spec.scope,
      informerScope: 'Cluster',
      versions: ars.spec.versions.map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        ...(v.deprecated !== undefined ? { deprecated: v.deprecated } : {}),
        ...(v.deprecationWarning ? { deprecationWarning: v.deprecationWarning } : {}),
        schema: v.schema,
        ...(v.subresources ? { subresources: v.subresources } : {}),
        ...(v.additionalPrinterColumns ? { additionalPrinterColumns: v.additionalPrinterColumns } : {}),
      })),
    },
  };
}
