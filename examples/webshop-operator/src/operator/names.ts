/**
 * Every name, label and annotation the operator writes, derived from the Webshop alone. Deterministic names
 * are what make a restarted operator find (and adopt) what it made before instead of making it twice.
 */
import { createHash } from 'node:crypto';
import type { ClusterName } from '@kubeloom/core';

/** Field manager of everything the operator applies, in the tenants and on the compute cluster. */
export const FIELD_MANAGER = 'webshop-operator';
/** Finalizer on a Webshop: its database, search instance and workload are removed before it goes. */
export const CLEANUP_FINALIZER = 'webshop.kubeloom.dev/cleanup';
/** Label on the tenant-side Cluster, Database and Elasticsearch: the name of the Webshop they serve. */
export const WEBSHOP_LABEL = 'webshop.kubeloom.dev/webshop';
/** Label on compute objects: the tenant's logical cluster name. */
export const TENANT_LABEL = 'webshop.kubeloom.dev/tenant';
/** Annotation on compute objects: the manager's name of the tenant cluster (e.g. `kcp#2x9kq1…`). */
export const SOURCE_CLUSTER_ANNOTATION = 'webshop.kubeloom.dev/source-cluster';
/** Annotation on compute objects: `<namespace>/<name>` of their Webshop in the tenant. */
export const SOURCE_OBJECT_ANNOTATION = 'webshop.kubeloom.dev/source-object';
/** Pod template annotation: a digest of the credentials, so that rotated credentials roll the pods. */
export const CREDENTIALS_DIGEST_ANNOTATION = 'webshop.kubeloom.dev/credentials-digest';

/** The tenant-side objects of Webshop `name`, as the database and observability teams' APIs name them. */
export function tenantObjectNames(name: string): {
  postgresCluster: string;
  database: string;
  databaseSecret: string;
  search: string;
  searchSecret: string;
} {
  return {
    postgresCluster: `${name}-db`,
    database: name,
    databaseSecret: `${name}-db-app`,
    search: `${name}-search`,
    searchSecret: `${name}-search-es-elastic-user`,
  };
}

/** The Webshop a tenant-side credentials Secret belongs to, by its name; undefined for other Secrets. */
export function webshopOfSecret(secretName: string): string | undefined {
  for (const suffix of ['-db-app', '-search-es-elastic-user']) {
    if (secretName.endsWith(suffix) && secretName.length > suffix.length) {
      return secretName.slice(0, -suffix.length);
    }
  }
  return undefined;
}

/** The objects of one Webshop on the compute cluster. */
export interface ComputeNames {
  namespace: string;
  /** Deployment and Service. */
  workload: string;
  /** The Secret the workload's environment refers to. */
  credentialsSecret: string;
}

/**
 * Where a tenant's Webshop runs on the compute cluster: namespace `shop-<logical cluster>-<tenant
 * namespace>` (hashed when longer than a DNS label allows), so tenants never share a namespace and two
 * Webshops of one name in different tenant namespaces never collide.
 */
export function computeNames(tenant: string, namespace: string, name: string): ComputeNames {
  const plain = `shop-${tenant}-${namespace}`;
  const computeNamespace =
    plain.length <= 63
      ? plain
      : `shop-${tenant}-${createHash('sha256').update(namespace).digest('hex').slice(0, 10)}`;
  return { namespace: computeNamespace, workload: name, credentialsSecret: `${name}-credentials` };
}

/** The tenant's logical cluster name in a manager cluster name (`kcp#2x9kq1…` → `2x9kq1…`). */
export function tenantOf(cluster: ClusterName, separator = '#'): string {
  const i = cluster.indexOf(separator);
  return i < 0 ? cluster : cluster.slice(i + separator.length);
}
