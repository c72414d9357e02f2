/**
 * A stand-in for the CloudNativePG operator on the syncagent's service cluster: it marks every Cluster
 * Ready (after writing its `<name>-app` Secret, as CNPG does) and every Database applied. It never
 * touches anything else, so whatever else changes on the service cluster is the agent's doing. It
 * records when it wrote each status, so the test can measure how long the status takes to reach kcp.
 */
import {
  type Client,
  ControllerBuilder,
  type KubeObject,
  Manager,
  SecretResource,
  defineResource,
  isAlreadyExists,
  silentLogger,
} from '@kubeloom/core';

/** postgresql.cnpg.io/v1 Clusters on the service cluster. */
export const CnpgClusterResource = defineResource<
  KubeObject & { spec?: { instances?: number }; status?: Record<string, unknown> }
>({
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kind: 'Cluster',
  plural: 'clusters',
  namespaced: true,
});
/** postgresql.cnpg.io/v1 Databases on the service cluster. */
export const CnpgDatabaseResource = defineResource<KubeObject & { status?: { applied?: boolean } }>({
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kind: 'Database',
  plural: 'databases',
  namespaced: true,
});

/** The fake operator; `statusWrittenAt` maps `namespace/name` of a Cluster to when it was marked Ready. */
export interface FakeCnpg {
  readonly statusWrittenAt: Map<string, number>;
  stop(): Promise<void>;
}

/** Starts the fake on `service`. */
export function startFakeCnpg(service: Client): FakeCnpg {
  const statusWrittenAt = new Map<string, number>();
  const manager = new Manager({ local: service, logger: silentLogger });
  const clusters = new ControllerBuilder('fake-cnpg-cluster')
    .for(CnpgClusterResource, { clusters: 'local' })
    .withOptions({ maxConcurrentReconciles: 4 })
    .build(async (req, { cluster }) => {
      const object = cluster.cache.reader(CnpgClusterResource).get(req.name, req.namespace);
      if (!object || object.metadata?.deletionTimestamp) return;
      const instances = object.spec?.instances ?? 1;
      if (object.status?.phase === 'Cluster in healthy state' && object.status.instances === instances)
        return;
      await service
        .create(SecretResource, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `${req.name}-app`, namespace: req.namespace },
          type: 'kubernetes.io/basic-auth',
          stringData: { username: 'app', password: 'generated-by-fake-cnpg' },
        })
        .catch((error: unknown) => (isAlreadyExists(error) ? undefined : Promise.reject(error)));
      await service.updateStatus(CnpgClusterResource, {
        ...object,
        status: {
          phase: 'Cluster in healthy state',
          instances,
          readyInstances: instances,
          currentPrimary: `${req.name}-1`,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ClusterIsReady',
              message: 'Cluster is Ready',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      });
      if (!statusWrittenAt.has(`${req.namespace}/${req.name}`))
        statusWrittenAt.set(`${req.namespace}/${req.name}`, Date.now());
    });
  const databases = new ControllerBuilder('fake-cnpg-database')
    .for(CnpgDatabaseResource, { clusters: 'local' })
    .build(async (req, { cluster }) => {
      const object = cluster.cache.reader(CnpgDatabaseResource).get(req.name, req.namespace);
      if (!object || object.metadata?.deletionTimestamp || object.status?.applied === true) return;
      await service.updateStatus(CnpgDatabaseResource, { ...object, status: { applied: true } });
    });
  manager.add(clusters);
  manager.add(databases);
  const stop = new AbortController();
  const run = manager.start(stop.signal);
  return {
    statusWrittenAt,
    stop: async () => {
      stop.abort();
      await run;
    },
  };
}
