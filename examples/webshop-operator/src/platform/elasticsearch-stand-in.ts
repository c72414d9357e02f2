/**
 * Stands in for Elastic's ECK operator on the observability team's cluster (no Elasticsearch runs here):
 * for every Elasticsearch it writes the `<name>-es-elastic-user` Secret ECK generates (`elastic`: the
 * password; plus `username: elastic`), then sets the status Ready with the instance's URL. The Secret is
 * written before the status, so the status change that wakes the syncagent finds it.
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
import { ElasticsearchResource } from '../api/elasticsearch.ts';
import { generatedPassword } from './generated-password.ts';
import { controllerReference } from './owner-reference.ts';

/** Starts the stand-in on `service` (the observability team's cluster). */
export function startElasticsearchStandIn(service: Client, logger: Logger = silentLogger): RunningManager {
  const manager = new Manager({ local: service, logger });
  manager.add(
    new ControllerBuilder('elasticsearch-stand-in')
      .for(ElasticsearchResource, { clusters: 'local' })
      .build(async (req, { cluster }) => {
        const object = cluster.cache.reader(ElasticsearchResource).get(req.name, req.namespace);
        if (!object || object.metadata?.deletionTimestamp) return;
        const nodes = object.spec?.nodes ?? 1;
        const message = `${nodes} of ${nodes} nodes ready (version ${object.spec?.version ?? '8.15.0'})`;
        const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
        if (isConditionTrue(object.status?.conditions, 'Ready') && ready?.message === message) return;
        await createIfMissing(() =>
          service.create(SecretResource, {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: `${req.name}-es-elastic-user`,
              namespace: req.namespace,
              labels: { 'elasticsearch.k8s.elastic.co/cluster-name': req.name },
              ownerReferences: controllerReference(object),
            },
            type: 'Opaque',
            stringData: { username: 'elastic', elastic: generatedPassword() },
          }),
        );
        await service.updateStatus(ElasticsearchResource, {
          ...object,
          status: {
            phase: 'Ready',
            url: `https://${req.name}-es-http.${req.namespace}.svc:9200`,
            conditions: setCondition(object.status?.conditions, {
              type: 'Ready',
              status: 'True',
              reason: 'AllNodesReady',
              message,
            }),
          },
        });
      }),
  );
  return runInBackground(manager);
}
