/**
 * The composition step on the observability team's cluster: for every Elasticsearch there, a Postgres
 * Cluster it owns (its metadata store). In the Platform Mesh seed, KRO does this step (a
 * ResourceGraphDefinition that adds a Postgres to each Elastic instance); here it is a small kubeloom
 * controller. The Postgres CRD on this cluster is the one kube-bind pulled from kcp, so each Cluster
 * created here travels through the konnector into the kube-bind backend's workspace and, through the
 * database team's syncagent, onto the database team's cluster; its status comes back the same way. The
 * owner reference hands deletion to the garbage collector: an Elasticsearch that goes takes its Cluster
 * along, and the konnector and the syncagent remove the copies.
 */
import { createHash } from 'node:crypto';
import { type Client, ControllerBuilder, type Logger, Manager, silentLogger } from '@kubeloom/core';
import { type Elasticsearch, ElasticsearchResource } from '../api/elasticsearch.ts';
import { PostgresClusterResource } from '../api/index.ts';
import { type RunningManager, runInBackground } from './background-manager.ts';
import { controllerReference } from './owner-reference.ts';

/** Field manager of the Clusters the composition applies. */
const FIELD_MANAGER = 'elasticsearch-composition';

/**
 * The Postgres Cluster of an Elasticsearch: `<name>-db-<hash of its namespace>`. The hash keeps two
 * namespaces' Clusters apart further down: the kube-bind backend gathers every consumer namespace in one
 * workspace, and the database team publishes with the workshop's naming (namespace per workspace, the
 * object's own name), under which two `shop-search-db` of one workspace would land on one object.
 */
export function compositionPostgresName(elasticsearch: Pick<Elasticsearch, 'metadata'>): string {
  const namespace = elasticsearch.metadata?.namespace ?? '';
  const hash = createHash('sha256').update(namespace).digest('hex').slice(0, 6);
  return `${elasticsearch.metadata?.name ?? ''}-db-${hash}`;
}

/** Starts the composition controller on `cluster` (the Postgres CRD must be served there). */
export function startElasticsearchComposition(
  cluster: Client,
  logger: Logger = silentLogger,
): RunningManager {
  const manager = new Manager({ local: cluster, logger });
  manager.add(
    new ControllerBuilder('elasticsearch-composition')
      .for(ElasticsearchResource, { clusters: 'local' })
      .owns(PostgresClusterResource, { clusters: 'local' })
      .build(async (req, { cluster: local }) => {
        const elasticsearch = local.cache.reader(ElasticsearchResource).get(req.name, req.namespace);
        if (!elasticsearch || elasticsearch.metadata?.deletionTimestamp) return;
        await cluster.apply(
          PostgresClusterResource,
          {
            apiVersion: 'postgresql.cnpg.io/v1',
            kind: 'Cluster',
            metadata: {
              name: compositionPostgresName(elasticsearch),
              namespace: req.namespace,
              ownerReferences: controllerReference(elasticsearch),
            },
            spec: { instances: 1, storage: { size: '1Gi' } },
          },
          { fieldManager: FIELD_MANAGER, force: true },
        );
      }),
  );
  return runInBackground(manager);
}
