/** The Webshop API and the typed APIs of the exports the webshop operator consumes. */
export * from './elasticsearch.ts';
export {
  type Cluster as PostgresCluster,
  ClusterResource as PostgresClusterResource,
  type Database as PostgresDatabase,
  DatabaseResource as PostgresDatabaseResource,
} from './generated/postgresql.cnpg.io_v1.ts';
export * from './webshop.ts';
export * from './webshop-schema.ts';
