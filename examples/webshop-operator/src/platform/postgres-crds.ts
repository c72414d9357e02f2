import { syncagentTestdata } from './syncagent-testdata.ts';

/** The CloudNativePG CRD files (Cluster and Database) the database team's cluster serves. */
export function postgresCrdFiles(): string[] {
  return [
    syncagentTestdata('postgresql.cnpg.io_clusters.yaml'),
    syncagentTestdata('postgresql.cnpg.io_databases.yaml'),
  ];
}
