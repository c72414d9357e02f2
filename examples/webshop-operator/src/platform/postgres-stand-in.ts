/**
 * Stands in for the CloudNativePG operator on the database team's cluster (no Postgres runs here): for
 * every Cluster it writes the `<cluster>-app` Secret CNPG generates (`username`, `password`, `host`, `port`,
 * `dbname`, `uri`; a random password) and then marks the Cluster Ready; every Database it marks applied.
 * The Secret is written before the status, so the status change that wakes the syncagent finds it.
 */
import {
  type Client,
  ControllerBuilder,
  type Logger,
  Manager,
  SecretResource,
  isConditionTrue,
  setCondition,
  silentLogger,
} from '@kubeloom/core';
import { type RunningManager, runInBackground } from './background-manager.ts';
import { createIfMissing } from './create-if-missing.ts';
import { generatedPassword } from './generated-password.ts';
import { controllerReference } from './owner-reference.ts';
import { type PostgresCluster, PostgresClusterResource, PostgresDatabaseResource } from '../api/index.ts';

/** The port every stand-in Postgres "listens" on. */
const POSTGRES_PORT = 5432;

/** The `<cluster>-app` Secret's data for `cluster`, with CNPG's defaults (database and owner `app`). */
function appCredentials(cluster: PostgresCluster, password: string): Record<string, string> {
  const name = cluster.metadata?.name ?? '';
  const dbname = cluster.spec?.bootstrap?.initdb?.database ?? 'app';
  const username = cluster.spec?.bootstrap?.initdb?.owner ?? dbname;
  const host = `${name}-rw.${cluster.metadata?.namespace ?? ''}.svc`;
  return {
    username,
    password,
    host,
    port: String(POSTGRES_PORT),
    dbname,
    uri: `postgresql://${username}:${password}@${host}:${POSTGRES_PORT}/${dbname}`,
  };
}

/** Starts the stand-in on `service` (the database team's cluster). */
export function startPostgresStandIn(service: Client, logger: Logger = silentLogger): RunningManager {
  const manager = new Manager({ local: service, logger });
  manager.add(
    new ControllerBuilder('postgres-stand-in-cluster')
      .for(PostgresClusterResource, { clusters: 'local' })
      .build(async (req, { cluster }) => {
        const object = cluster.cache.reader(PostgresClusterResource).get(req.name, req.namespace);
        if (!object || object.metadata?.deletionTimestamp) return;
        const instances = object.spec?.instances ?? 1;
        if (
          isConditionTrue(object.status?.conditions, 'Ready') &&
          object.status?.readyInstances === instances
        )
          return;
        await createIfMissing(() =>
          service.create(SecretResource, {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: `${req.name}-app`,
              namespace: req.namespace,
              labels: { 'cnpg.io/cluster': req.name, 'cnpg.io/userType': 'app' },
              ownerReferences: controllerReference(object),
            },
            type: 'kubernetes.io/basic-auth',
            stringData: appCredentials(object, generatedPassword()),
          }),
        );
        await service.updateStatus(PostgresClusterResource, {
          ...object,
          status: {
            ...object.status,
            phase: 'Cluster in healthy state',
            instances,
            readyInstances: instances,
            currentPrimary: `${req.name}-1`,
            conditions: setCondition(object.status?.conditions, {
              type: 'Ready',
              status: 'True',
              reason: 'ClusterIsReady',
              message: 'Cluster is Ready',
            }),
          },
        });
      }),
  );
  manager.add(
    new ControllerBuilder('postgres-stand-in-database')
      .for(PostgresDatabaseResource, { clusters: 'local' })
      .build(async (req, { cluster }) => {
        const object = cluster.cache.reader(PostgresDatabaseResource).get(req.name, req.namespace);
        if (!object || object.metadata?.deletionTimestamp || object.status?.applied === true) return;
        await service.updateStatus(PostgresDatabaseResource, {
          ...object,
          status: { ...object.status, applied: true },
        });
      }),
  );
  return runInBackground(manager);
}
