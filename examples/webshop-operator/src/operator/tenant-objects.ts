/**
 * What the operator asks the database and observability teams for, in the tenant's own workspace (through
 * the tenant's bindings of their exports): the desired objects, as server-side apply bodies.
 */
import type { Elasticsearch } from '../api/elasticsearch.ts';
import type { Cluster, Database } from '../api/generated/postgresql.cnpg.io_v1.ts';
import { effectiveSpec, type Webshop } from '../api/webshop.ts';
import { tenantObjectNames, WEBSHOP_LABEL } from './names.ts';

/** The tenant objects of a Webshop (the search instance only when search is on). */
export interface TenantObjects {
  postgresCluster: Cluster;
  database: Database;
  search?: Elasticsearch;
}

/** The Postgres Cluster, Database and (if search is on) Elasticsearch the Webshop needs. */
export function desiredTenantObjects(webshop: Webshop): TenantObjects {
  const name = webshop.metadata?.name ?? '';
  const namespace = webshop.metadata?.namespace ?? '';
  const names = tenantObjectNames(name);
  const spec = effectiveSpec(webshop);
  const metadata = (objectName: string) => ({
    name: objectName,
    namespace,
    labels: { [WEBSHOP_LABEL]: name },
  });
  const postgresCluster: Cluster = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: metadata(names.postgresCluster),
    spec: { instances: 1, storage: { size: spec.databaseSize } },
  };
  const database: Database = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Database',
    metadata: metadata(names.database),
    spec: { cluster: { name: names.postgresCluster }, name: 'shop', owner: 'app' },
  };
  if (!spec.search.enabled) return { postgresCluster, database };
  const search: Elasticsearch = {
    apiVersion: 'search.observability.kubeloom.dev/v1alpha1',
    kind: 'Elasticsearch',
    metadata: metadata(names.search),
    spec: { nodes: spec.search.nodes },
  };
  return { postgresCluster, database, search };
}
