import { describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/cluster.ts';
import { type ConfigMap, DeploymentResource } from '../client/builtins.ts';
import type { OwnerReference } from '../client/object.ts';
import type { Logger } from '../log/logger.ts';
import { type Request, requestKey } from '../reconcile/request.ts';
import { enqueueForObject } from './enqueue-for-object.ts';
import { enqueueForOwner } from './enqueue-for-owner.ts';
import { enqueueFromMap } from './enqueue-from-map.ts';
import type { HandlerContext } from './request-handler.ts';

/** A handler context for cluster `cluster` that records enqueued request keys and log lines. */
function context(cluster = 'engaged') {
  const enqueued: string[] = [];
  const logs: string[] = [];
  const log = (level: string) => (obj: object | string, msg?: string) =>
    logs.push(`${level}: ${typeof obj === 'string' ? obj : (msg ?? '')}`);
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  const ctx: HandlerContext = {
    clusterName: cluster,
    cluster: {} as Cluster,
    enqueue: (r: Request) => enqueued.push(requestKey(r)),
    log: logger,
  };
  return { ctx, enqueued, logs };
}

const cm = (name: string, ownerReferences: OwnerReference[] = [], namespace = 'web'): ConfigMap => ({
  metadata: { name, namespace, ownerReferences, annotations: { 'kcp.io/cluster': 'logical-x' } },
});
const ref = (kind: string, name: string, apiVersion: string, controller?: boolean): OwnerReference => ({
  apiVersion,
  kind,
  name,
  uid: `uid-${name}`,
  ...(controller !== undefined ? { controller } : {}),
});

describe('enqueueForObject', () => {
  it('enqueues the object under the engaged cluster name, not its kcp.io/cluster', () => {
    const { ctx, enqueued } = context('engaged');
    const h = enqueueForObject<ConfigMap>();
    h.create(cm('a'), ctx);
    h.update(cm('old'), cm('b'), ctx);
    h.delete(cm('c'), ctx);
    h.generic?.({ metadata: { name: 'ns-scoped-less' } }, ctx);
    expect(enqueued).toEqual(['engaged|web/a', 'engaged|web/b', 'engaged|web/c', 'engaged|/ns-scoped-less']);
  });
});

describe('enqueueForOwner', () => {
  const owners = [
    ref('Deployment', 'ctrl', 'apps/v1', true),
    ref('Deployment', 'plain', 'apps/v1'),
    ref('Deployment', 'other-group', 'example.com/v1', true),
    ref('StatefulSet', 'other-kind', 'apps/v1', true),
  ];

  it('follows only the controller reference of the given group and kind by default', () => {
    const { ctx, enqueued } = context();
    enqueueForOwner<ConfigMap>(DeploymentResource).create(cm('child', owners), ctx);
    expect(enqueued).toEqual(['engaged|web/ctrl']);
  });

  it('follows every matching owner reference with onlyController false', () => {
    const { ctx, enqueued } = context();
    enqueueForOwner<ConfigMap>({ group: 'apps', kind: 'Deployment' }, { onlyController: false }).delete(
      cm('child', owners),
      ctx,
    );
    expect(enqueued).toEqual(['engaged|web/ctrl', 'engaged|web/plain']);
  });

  it('uses no namespace for cluster-scoped owners and matches the core group', () => {
    const { ctx, enqueued } = context();
    const child = cm('child', [ref('Namespace', 'tenant', 'v1', true)]);
    enqueueForOwner<ConfigMap>({ group: '', kind: 'Namespace', namespaced: false }).create(child, ctx);
    expect(enqueued).toEqual(['engaged|/tenant']);
  });

  it('enqueues the owners of both the old and the new object on update', () => {
    const { ctx, enqueued } = context();
    enqueueForOwner<ConfigMap>(DeploymentResource).update(
      cm('child', [ref('Deployment', 'before', 'apps/v1', true)]),
      cm('child', [ref('Deployment', 'after', 'apps/v1', true)]),
      ctx,
    );
    expect(enqueued).toEqual(['engaged|web/before', 'engaged|web/after']);
  });
});

/** A map function naming one foreign and one own-cluster request. */
const crossClusterMap = () => [
  { cluster: 'compute', namespace: 'apps', name: 'shop' },
  { namespace: 'web', name: 'local' },
];

describe('enqueueFromMap', () => {
  it('fills in the event cluster and deduplicates what old and new map to', () => {
    const { ctx, enqueued } = context();
    const h = enqueueFromMap<ConfigMap>((o) => [
      { namespace: 'web', name: 'shared' },
      { namespace: 'web', name: `for-${o.metadata?.name}` },
    ]);
    h.update(cm('old'), cm('new'), ctx);
    expect(enqueued).toEqual(['engaged|web/shared', 'engaged|web/for-old', 'engaged|web/for-new']);
  });

  it('passes the engaged cluster name to the map function', () => {
    const { ctx, enqueued } = context('tenant-7');
    enqueueFromMap<ConfigMap>((_o, cluster) => [{ cluster, namespace: '', name: cluster }]).create(
      cm('x'),
      ctx,
    );
    expect(enqueued).toEqual(['tenant-7|/tenant-7']);
  });

  it('drops requests for other clusters with a warning unless crossCluster is set', () => {
    const strict = context();
    enqueueFromMap<ConfigMap>(crossClusterMap).create(cm('x'), strict.ctx);
    expect(strict.enqueued).toEqual(['engaged|web/local']);
    expect(strict.logs).toEqual([expect.stringMatching(/^warn: .*another cluster.*crossCluster/)]);

    const fanOut = context();
    enqueueFromMap<ConfigMap>(crossClusterMap, { crossCluster: true }).create(cm('x'), fanOut.ctx);
    expect(fanOut.enqueued).toEqual(['compute|apps/shop', 'engaged|web/local']);
    expect(fanOut.logs).toEqual([]);
  });

  it('logs and survives a throwing map function', () => {
    const { ctx, enqueued, logs } = context();
    const h = enqueueFromMap<ConfigMap>((o) => {
      if (o.metadata?.name === 'bad') throw new Error('boom');
      return [{ namespace: 'web', name: 'ok' }];
    });
    h.update(cm('bad'), cm('good'), ctx);
    expect(enqueued).toEqual(['engaged|web/ok']);
    expect(logs).toEqual([expect.stringMatching(/^error: the map function .* threw/)]);
  });
});
