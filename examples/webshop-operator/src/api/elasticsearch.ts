/**
 * The observability team's Elasticsearch API (`search.observability.kubeloom.dev/v1alpha1`), as a tenant
 * sees it once it binds that team's APIExport.
 */
import { type Condition, defineResource, type KubeObject, type ObjectMeta } from '@kubeloom/core';

/** An Elasticsearch instance run by the observability team. */
export interface Elasticsearch extends KubeObject {
  apiVersion?: 'search.observability.kubeloom.dev/v1alpha1';
  kind?: 'Elasticsearch';
  metadata?: ObjectMeta;
  spec?: {
    /** Elasticsearch version. Default `8.15.0`. */
    version?: string;
    /** Nodes, at least 1. Default 1. */
    nodes?: number;
  };
  status?: {
    phase?: string;
    /** Where clients reach the instance; set once it is ready. */
    url?: string;
    conditions?: Condition[];
  };
}

/** `search.observability.kubeloom.dev/v1alpha1` elasticsearches: namespaced, with the status subresource. */
export const ElasticsearchResource = defineResource<Elasticsearch>({
  group: 'search.observability.kubeloom.dev',
  version: 'v1alpha1',
  kind: 'Elasticsearch',
  plural: 'elasticsearches',
  namespaced: true,
});
