import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { KubeBindCondition } from './conditions.ts';
import { KUBE_BIND_GROUP, KUBE_BIND_VERSION } from './group.ts';

/** One version of a bound resource, as in a CRD (the schema is the OpenAPI v3 schema itself). */
export interface BoundSchemaVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: Record<string, unknown>;
  subresources?: { status?: Record<string, never>; scale?: Record<string, unknown> };
  additionalPrinterColumns?: Array<Record<string, unknown>>;
}

/**
 * A BoundSchema (on the provider, in a consumer's cluster namespace, named `<plural>.<group>`): the schema
 * of one exported resource, which the konnector turns into a CRD on the consumer.
 */
export interface BoundSchema extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    informerScope?: 'Cluster' | 'Namespaced';
    group: string;
    names: {
      kind: string;
      plural: string;
      singular?: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: 'Cluster' | 'Namespaced';
    versions: BoundSchemaVersion[];
    conversion?: { strategy: 'None' | 'Webhook'; webhook?: Record<string, unknown> };
  };
  status?: {
    acceptedNames?: Record<string, unknown>;
    storedVersions?: string[];
    conditions?: KubeBindCondition[];
    instantiations?: number;
  };
}

/** kube-bind.io/v1alpha2 BoundSchemas. */
export const BoundSchemaResource = defineResource<BoundSchema>({
  group: KUBE_BIND_GROUP,
  version: KUBE_BIND_VERSION,
  kind: 'BoundSchema',
  plural: 'boundschemas',
  namespaced: true,
});

/** The name of the BoundSchema of a resource: `<resource>.<group>`. */
export function boundSchemaName(group: string, resource: string): string {
  return `${resource}.${group}`;
}
