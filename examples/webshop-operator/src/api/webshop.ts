/**
 * The Webshop API (`webshop.kubeloom.dev/v1alpha1`): what a tenant asks the webshop team for, and what the
 * webshop operator reports back.
 */
import { type Condition, defineResource, type KubeObject, type ObjectMeta } from '@kubeloom/core';

/** API group of the Webshop API, and the name of the APIExport that serves it. */
export const WEBSHOP_GROUP = 'webshop.kubeloom.dev';
/** The only version of the Webshop API. */
export const WEBSHOP_VERSION = 'v1alpha1';

/** What a tenant wants: the shop's workload, its database, and whether it gets a search instance. */
export interface WebshopSpec {
  /** Container image of the shop. */
  image: string;
  /** Pods of the shop on the compute cluster. Default 1; 0 stops the shop but keeps its data. */
  replicas?: number;
  /** The shop's Postgres database. */
  database?: {
    /** Storage of the Postgres cluster, a Kubernetes quantity. Default `1Gi`. */
    size?: string;
  };
  /** The shop's Elasticsearch instance. */
  search?: {
    /** Whether the shop gets one. Default false. */
    enabled?: boolean;
    /** Elasticsearch nodes. Default 1. */
    nodes?: number;
  };
}

/** What the operator observed, for the generation in `observedGeneration`. */
export interface WebshopStatus {
  /** The `metadata.generation` this status was computed from. */
  observedGeneration?: number;
  /** `DatabaseReady`, `SearchReady`, `Deployed` and their summary `Ready`. */
  conditions?: Condition[];
  /** Available pods of the shop's Deployment. */
  availableReplicas?: number;
  /** The namespace on the compute cluster that holds the shop's workload. */
  computeNamespace?: string;
}

/** A tenant's webshop: a Postgres database, optionally a search instance, and the shop workload. */
export interface Webshop extends KubeObject {
  apiVersion?: 'webshop.kubeloom.dev/v1alpha1';
  kind?: 'Webshop';
  metadata?: ObjectMeta;
  spec: WebshopSpec;
  status?: WebshopStatus;
}

/**
 * `webshop.kubeloom.dev/v1alpha1` webshops: namespaced, with the status subresource. In a tenant workspace
 * they are served by the APIExport `webshop.kubeloom.dev`.
 */
export const WebshopResource = defineResource<Webshop>({
  group: WEBSHOP_GROUP,
  version: WEBSHOP_VERSION,
  kind: 'Webshop',
  plural: 'webshops',
  namespaced: true,
});

/** The condition types of a Webshop, in the order the operator works through them. */
export const WebshopCondition = {
  /** The Postgres Cluster and Database are ready and their credentials Secret exists. */
  DatabaseReady: 'DatabaseReady',
  /** The Elasticsearch instance is ready and its credentials Secret exists (or search is off). */
  SearchReady: 'SearchReady',
  /** The shop's Deployment on the compute cluster has all its replicas available. */
  Deployed: 'Deployed',
  /** All of the above. */
  Ready: 'Ready',
} as const;

/** One of {@link WebshopCondition}. */
export type WebshopConditionType = (typeof WebshopCondition)[keyof typeof WebshopCondition];

/** The spec with every default applied, as the API server stores it (defaults also apply to old objects). */
export interface EffectiveWebshopSpec {
  image: string;
  replicas: number;
  databaseSize: string;
  search: { enabled: boolean; nodes: number };
}

/** Defaults of the Webshop schema, also applied by the operator to objects written before a default existed. */
export const WEBSHOP_DEFAULTS = { replicas: 1, databaseSize: '1Gi', searchNodes: 1 } as const;

/** The spec of `webshop` with the schema's defaults filled in. */
export function effectiveSpec(webshop: Webshop): EffectiveWebshopSpec {
  const spec = webshop.spec;
  return {
    image: spec.image,
    replicas: spec.replicas ?? WEBSHOP_DEFAULTS.replicas,
    databaseSize: spec.database?.size ?? WEBSHOP_DEFAULTS.databaseSize,
    search: {
      enabled: spec.search?.enabled ?? false,
      nodes: spec.search?.nodes ?? WEBSHOP_DEFAULTS.searchNodes,
    },
  };
}
