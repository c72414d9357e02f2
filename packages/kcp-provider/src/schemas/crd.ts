/**
 * The parts of an `apiextensions.k8s.io/v1` CustomResourceDefinition that become an APIResourceSchema, as
 * plain JSON (OpenAPI schemas stay untyped records: their `x-kubernetes-*` keys are what the API server
 * sends).
 */
import type { KubeObject, ObjectMeta } from '@kubeloom/core';

/** One version of a CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: Array<{
    name: string;
    type: string;
    format?: string;
    description?: string;
    priority?: number;
    jsonPath: string;
  }>;
  selectableFields?: Array<{ jsonPath: string }>;
}

/** CRD names. */
export interface CrdNames {
  plural: string;
  singular?: string;
  shortNames?: string[];
  kind: string;
  listKind?: string;
  categories?: string[];
}

/** spec of a CRD. */
export interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: 'Cluster' | 'Namespaced';
  versions: CrdVersion[];
  conversion?: { strategy: string; webhook?: Record<string, unknown> };
  preserveUnknownFields?: boolean;
}

/** A CustomResourceDefinition as an API server serves it or a YAML file declares it. */
export interface CustomResourceDefinition extends KubeObject {
  metadata: ObjectMeta;
  spec: CrdSpec;
}
