/**
 * The parts of an `apiextensions.k8s.io/v1` CustomResourceDefinition that become an APIResourceSchema, as
 * plain JSON (OpenAPI schemas stay untyped records: their `x-kubernetes-*` keys are what the API server
 * sends).
 */
import type { KubeObject, ObjectMeta } from '@kubeloom/core';

/** One version of a CRD. */
export interface CrdVersion {
  /** The version, e.g. `v1`. */
  name: string;
  /** Whether the API server serves this version. */
  served: boolean;
  /** Whether objects are stored in this version (exactly one version is). */
  storage: boolean;
  /** Served with a deprecation warning. */
  deprecated?: boolean;
  /** The warning sent to clients of a deprecated version. */
  deprecationWarning?: string;
  /** The OpenAPI v3 schema objects of this version are validated (and defaulted) with. */
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  /** The `status` and `scale` subresources. */
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  /** Extra columns `kubectl get` shows. */
  additionalPrinterColumns?: Array<{
    name: string;
    type: string;
    format?: string;
    description?: string;
    priority?: number;
    jsonPath: string;
  }>;
  /** Fields that field selectors may use. */
  selectableFields?: Array<{ jsonPath: string }>;
}

/** CRD names. */
export interface CrdNames {
  /** Lower-case plural used in URLs, e.g. `widgets`. */
  plural: string;
  /** Lower-case singular, e.g. `widget`. */
  singular?: string;
  /** Short names for kubectl, e.g. `wd`. */
  shortNames?: string[];
  /** The kind, e.g. `Widget`. */
  kind: string;
  /** The list kind, e.g. `WidgetList`. */
  listKind?: string;
  /** Groups of resources (e.g. `all`) kubectl addresses together. */
  categories?: string[];
}

/** The spec of a CRD. */
export interface CrdSpec {
  /** The API group, e.g. `example.io`. */
  group: string;
  /** Kind and resource names. */
  names: CrdNames;
  /** Whether objects live in namespaces. */
  scope: 'Cluster' | 'Namespaced';
  /** Every version, served or not. */
  versions: CrdVersion[];
  /** How the API server converts between versions (`None` or a webhook). */
  conversion?: { strategy: string; webhook?: Record<string, unknown> };
  /** The legacy v1beta1 field; `true` only on old, non-structural CRDs. */
  preserveUnknownFields?: boolean;
}

/** A CustomResourceDefinition as an API server serves it or a YAML file declares it. */
export interface CustomResourceDefinition extends KubeObject {
  /** `name` is `<plural>.<group>`. */
  metadata: ObjectMeta;
  /** The definition. */
  spec: CrdSpec;
}
