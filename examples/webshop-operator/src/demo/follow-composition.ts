/**
 * Follows the kube-bind side of the demo: each tenant's Elasticsearch, copied onto the observability
 * team's cluster by its syncagent, gets a Postgres Cluster from the composition controller there, which
 * travels through kube-bind and the database team's syncagent and comes back Ready.
 */
import { type Client, isNotFound, waitFor } from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import { ElasticsearchResource, PostgresClusterResource } from '../api/index.ts';
import { compositionPostgresName } from '../platform/elasticsearch-composition.ts';
import { COPY_CLUSTER_LABEL } from './platform-picture.ts';

/** One tenant's composed Postgres on the observability cluster, once Ready. */
export interface ComposedPostgres {
  tenant: string;
  /** `<namespace>/<name>` of the Elasticsearch copy on the observability cluster. */
  elasticsearch: string;
  /** `<namespace>/<name>` of its Postgres Cluster there. */
  postgres: string;
  /** From `since` to Ready seen on the observability cluster. */
  readyAfterMs: number;
}

/**
 * Waits until every tenant's Elasticsearch on `observabilityCluster` has a Ready Postgres Cluster (the
 * database team's stand-in status, come back through kcp and kube-bind), calling `onReady` for each.
 */
export async function followComposition(
  observabilityCluster: Client,
  tenants: readonly KcpWorkspace[],
  since: number,
  timeoutMs: number,
  onReady: (composed: ComposedPostgres) => void,
): Promise<ComposedPostgres[]> {
  const ready = new Map<string, ComposedPostgres>();
  const waiting = new Set<string>();
  await waitFor(
    async () => {
      waiting.clear();
      for (const tenant of tenants) {
        const copies = await observabilityCluster.list(ElasticsearchResource, {
          labelSelector: `${COPY_CLUSTER_LABEL}=${tenant.clusterName}`,
        });
        if (copies.items.length === 0) waiting.add(`${tenant.path}'s Elasticsearch copy`);
        for (const copy of copies.items) {
          const namespace = copy.metadata?.namespace ?? '';
          const name = compositionPostgresName(copy);
          const key = `${namespace}/${name}`;
          if (ready.has(key)) continue;
          const postgres = await observabilityCluster
            .get(PostgresClusterResource, name, { namespace })
            .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
          if (!postgres?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
            waiting.add(key);
            continue;
          }
          const composed = {
            tenant: tenant.path,
            elasticsearch: `${namespace}/${copy.metadata?.name ?? ''}`,
            postgres: key,
            readyAfterMs: Date.now() - since,
          };
          ready.set(key, composed);
          onReady(composed);
        }
      }
      return waiting.size === 0;
    },
    {
      what: "each tenant's Elasticsearch on the observability cluster to get a Ready Postgres through kube-bind",
      timeoutMs,
      intervalMs: 500,
      describe: () => `waiting for ${[...waiting].join(', ')}`,
    },
  );
  return [...ready.values()];
}
