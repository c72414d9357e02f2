import { type Condition, type KubeObject, defineResource } from '@kubeloom/core';
import { syncagentTestdata } from './syncagent-testdata.ts';

/** A CloudNativePG Cluster (postgresql.cnpg.io/v1), the fields the platform reads and writes. */
export interface PostgresCluster extends KubeObject {
  spec?: {
    instances?: number;
    bootstrap?: { initdb?: { database?: string; owner?: string } };
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    instances?: number;
    readyInstances?: number;
    currentPrimary?: string;
    conditions?: Condition[];
    [field: string]: unknown;
  };
}

/** A CloudNativePG Database (postgresql.cnpg.io/v1): a database inside a Cluster. */
export interface PostgresDatabase extends KubeObject {
  spec?: { cluster?: { name?: string }; name?: string; owner?: string; [field: string]: unknown };
  status?: { applied?: boolean; message?: string; [field: string]: unknown };
}

/** postgresql.cnpg.io/v1 Clusters, on the database team's cluster and (bound) in tenant workspaces. */
export const PostgresClusterResource = defineResource<PostgresCluster>({
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kind: 'Cluster',
  plural: 'clusters',
  namespaced: true,
});

/** postgresql.cnpg.io/v1 Databases, on the database team's cluster and (bound) in tenant workspaces. */
export const PostgresDatabaseResource = defineResource<PostgresDatabase>({
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kind: 'Database',
  plural: 'databases',
  namespaced: true,
});

/** The CloudNativePG CRD files (Cluster and Database) the database team's cluster serves. */
export function postgresCrdFiles(): string[] {
  return [
    syncagentTestdata('postgresql.cnpg.io_clusters.yaml'),
    syncagentTestdata('postgresql.cnpg.io_databases.yaml'),
  ];
}
