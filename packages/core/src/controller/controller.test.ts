import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharedInformer } from '../cache/shared-informer.ts';
import type { Cluster, ClusterCache } from '../cluster/cluster.ts';
import { type ConfigMap, ConfigMapResource, type Secret, SecretResource } from '../client/builtins.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { enqueueFromMap } from '../handler/enqueue-from-map.ts';
import { predicateFn } from '../predicate/predicate.ts';
import { type ReconcileContext, type Request, requestKey } from '../reconcile/request.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import type { Source } from '../source/source.ts';
import { fakeCluster, memoryLogger, recordingMetrics } from './cluster-fixture.test.support.ts';
import type { Controller } from './controller.ts';
import { ControllerBuilder } from './controller-builder.ts';

const cm = (name: string, labels: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default', labels },
  data: { v: '1' },
});
const until = (probe: () => boolean, what: string) =>
  waitFor(probe, { what, timeoutMs: 15_000, intervalMs: 5 });

let server: FakeApiServer;
/** Aborted after each test: stops informers, engagements and controllers. */
let testScope: AbortController;
const stops: Array<Promise<void>> = [];

beforeEach(async () => {
  server = await FakeApiServer.start({
    resources: [ConfigMapResource, SecretResource],
    bookmarkIntervalMs: 100,
  });
  testScope = new AbortController();
});

afterEach(async () => {
  testScope.abort();
  await Promise.allSettled(stops.splice(0));
  await server.stop();
});

/** Records every reconcile as `cluster|namespace/name`, with its context. */
function recorder() {
  const seen: string[] = [];
  const contexts: Array<{ request: Request; ctx: ReconcileContext }> = [];
  return {
    seen,
    contexts,
    reconciler: async (request: Request, ctx: ReconcileContext) => {
      seen.push(requestKey(request));
      contexts.push({ request, ctx });
    },
  };
}

function start(controller: Controller): void {
  stops.push(controller.start(testScope.signal));
}

/** A new engagement signal that also ends with the test. */
function engagementSignal(): AbortController {
  const engagement = new AbortController();
  testScope.signal.addEventListener('abort', () => engagement.abort(), { once: true });
  return engagement;
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('Controller across clusters', { timeout: 30_000 }, () => {
  it('reconciles objects of two clusters, each request naming the engaged cluster', async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    const beta = fakeCluster(server, 'beta', testScope.signal, 'b');
    await alpha.client.create(ConfigMapResource, cm('one'));
    await beta.client.create(ConfigMapResource, cm('one'));
    await beta.client.create(ConfigMapResource, cm('two'));
    const r = recorder();
    const controller = new ControllerBuilder('two-clusters').for(ConfigMapResource).build(r.reconciler);
    await controller.engage('alpha', alpha, testScope.signal);
    await controller.engage('beta', beta, testScope.signal);
    start(controller);
    await until(() => r.seen.length === 3, 'the three existing objects');
    expect(r.seen.toSorted()).toEqual(['alpha|default/one', 'beta|default/one', 'beta|default/two']);
    for (const { request, ctx } of r.contexts) {
      expect(ctx.cluster).toBe(request.cluster === 'alpha' ? alpha : beta);
    }
    await alpha.client.create(ConfigMapResource, cm('three'));
    await until(() => r.seen.includes('alpha|default/three'), 'the new object');
    expect(r.seen.filter((k) => k.endsWith('/three'))).toEqual(['alpha|default/three']);
    await controller.waitForCacheSync(testScope.signal);
    expect(controller.hasSynced).toBe(true);
  });

  it("logs the kind of for() as controller-runtime's controllerGroup and controllerKind", async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    await alpha.client.create(ConfigMapResource, cm('one'));
    const logger = memoryLogger();
    const controller = new ControllerBuilder('logged')
      .for(ConfigMapResource)
      .withOptions({ logger })
      .build(async (_request, ctx) => ctx.log.info('reconciling'));
    await controller.engage('alpha', alpha, testScope.signal);
    start(controller);
    await until(() => logger.lines.some((l) => l.msg === 'reconciling'), 'the reconcile of one');
    expect(logger.lines.find((l) => l.msg === 'reconciling')?.bindings).toMatchObject({
      controller: 'logged',
      controllerGroup: '',
      controllerKind: 'ConfigMap',
      cluster: 'alpha',
      namespace: 'default',
      name: 'one',
    });
  });

  it('shares one kcp-style informer between clusters and dispatches by scope', async () => {
    const wildcard = server.client().withServer(`${server.url}/clusters/*`);
    const informers = new Map<string, SharedInformer>();
    const sharedCluster = (name: string, scope: string): Cluster => {
      const cache: ClusterCache = {
        scope,
        informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T> {
          let informer = informers.get(resource.plural);
          if (!informer) {
            informer = new SharedInformer<KubeObject>(wildcard, resource);
            informer.start(testScope.signal);
            informers.set(resource.plural, informer);
          }
          return informer as unknown as SharedInformer<T>;
        },
        reader: (resource) => cache.informer(resource).scoped(scope),
      };
      return {
        name,
        client: server.client().withServer(`${server.url}/clusters/${scope}`),
        cache,
        events: { record() {} },
      };
    };
    const ws1 = sharedCluster('root:org:ws1', 'logical1');
    const ws2 = sharedCluster('root:org:ws2', 'logical2');
    await ws1.client.create(ConfigMapResource, cm('x'));
    await ws2.client.create(ConfigMapResource, cm('y'));
    const r = recorder();
    const controller = new ControllerBuilder('shared').for(ConfigMapResource).build(r.reconciler);
    const ws1Engagement = engagementSignal();
    await controller.engage('root:org:ws1', ws1, ws1Engagement.signal);
    await controller.engage('root:org:ws2', ws2, testScope.signal);
    start(controller);
    await until(() => r.seen.length === 2, 'one object per workspace');
    expect(r.seen.toSorted()).toEqual(['root:org:ws1|default/x', 'root:org:ws2|default/y']);
    const informer = informers.get('configmaps');
    expect(informers.size).toBe(1);
    expect(informer?.handlerCount).toBe(2);
    ws1Engagement.abort();
    expect(informer?.handlerCount).toBe(1);
  });

  it("reconciles the owner when an owned object changes, in the owner's cluster", async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    const owner = await alpha.client.create(ConfigMapResource, cm('owner'));
    const secret: Secret = {
      metadata: {
        name: 'owned',
        namespace: 'default',
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'owner',
            uid: owner.metadata?.uid ?? '',
            controller: true,
          },
        ],
      },
      stringData: { password: 'x' },
    };
    await alpha.client.create(SecretResource, secret);
    const r = recorder();
    const controller = new ControllerBuilder('owner')
      .for(ConfigMapResource)
      .owns(SecretResource)
      .build(r.reconciler);
    await controller.engage('alpha', alpha, testScope.signal);
    start(controller);
    await until(() => r.seen.length >= 1, 'the initial reconcile');
    await sleep(50);
    const before = r.seen.length;
    await alpha.client.patch(
      SecretResource,
      'owned',
      { metadata: { labels: { touched: 'yes' } } },
      { namespace: 'default' },
    );
    await until(() => r.seen.length > before, 'the reconcile caused by the owned Secret');
    expect(r.seen.at(-1)).toBe('alpha|default/owner');
  });

  it('stops reconciling a disengaged cluster and removes its watches', async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    const beta = fakeCluster(server, 'beta', testScope.signal, 'b');
    const r = recorder();
    const controller = new ControllerBuilder('disengage').for(ConfigMapResource).build(r.reconciler);
    const alphaEngagement = engagementSignal();
    await controller.engage('alpha', alpha, alphaEngagement.signal);
    await controller.engage('beta', beta, testScope.signal);
    // Queued before start, then the cluster goes away: these requests must be dropped, not reconciled.
    await alpha.client.create(ConfigMapResource, cm('queued'));
    await until(
      () => alpha.cache.informer(ConfigMapResource).store.size === 1,
      'the object to reach the cache',
    );
    alphaEngagement.abort();
    expect(controller.engagedClusters).toEqual(['beta']);
    expect(alpha.cache.informer(ConfigMapResource).handlerCount).toBe(0);
    start(controller);
    await alpha.client.create(ConfigMapResource, cm('after'));
    await beta.client.create(ConfigMapResource, cm('beta-object'));
    await until(() => r.seen.includes('beta|default/beta-object'), 'the other cluster keeps working');
    await sleep(50);
    expect(r.seen).toEqual(['beta|default/beta-object']);
  });

  it('engages clusters after start, and again with a new signal replacing the first engagement', async () => {
    const r = recorder();
    let sourceStarts = 0;
    const countingSource: Source = {
      description: 'counts its starts',
      start: () => {
        sourceStarts++;
        return { hasSynced: true, waitForSync: async () => {} };
      },
    };
    const controller = new ControllerBuilder('late')
      .for(ConfigMapResource)
      .watchesSource(countingSource)
      .build(r.reconciler);
    start(controller);
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    await alpha.client.create(ConfigMapResource, cm('existing'));
    const first = engagementSignal();
    await controller.engage('alpha', alpha, first.signal);
    await until(() => r.seen.length === 1, 'the existing object of the late cluster');
    const informer = alpha.cache.informer(ConfigMapResource);
    await controller.engage('alpha', alpha, first.signal);
    expect(informer.handlerCount).toBe(1);
    expect(sourceStarts).toBe(1);
    const second = engagementSignal();
    await controller.engage('alpha', alpha, second.signal);
    expect(informer.handlerCount).toBe(1);
    expect(sourceStarts).toBe(2);
    first.abort();
    expect(controller.engagedClusters).toEqual(['alpha']);
    await alpha.client.create(ConfigMapResource, cm('new'));
    await until(() => r.seen.includes('alpha|default/new'), 'events through the second engagement');
    second.abort();
    expect(controller.engagedClusters).toEqual([]);
    expect(informer.handlerCount).toBe(0);
  });

  it("holds a cluster's requests until all of its watches have synced", async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    await alpha.client.create(ConfigMapResource, cm('parent'));
    const secretsSynced: boolean[] = [];
    const processed: string[] = [];
    const metrics = {
      ...recordingMetrics(),
      workQueue: () => ({ finished: (key: string) => processed.push(key) }),
    };
    const controller = new ControllerBuilder('sync')
      .for(ConfigMapResource)
      .owns(SecretResource)
      .withOptions({ cacheSyncTimeoutMs: 60, metrics })
      .build(async (_request, ctx) => {
        secretsSynced.push(ctx.cluster.cache.informer(SecretResource).hasSynced);
      });
    // Every Secret LIST fails until the faults are reset (403 is not retried by the client, only by the
    // informer's backoff), so that informer cannot sync however slow the machine is.
    server.faults.failNext({ status: 403, count: 1_000_000, match: { path: '/secrets', watch: false } });
    start(controller);
    await controller.engage('alpha', alpha, testScope.signal);
    // The ConfigMap's request has been taken from the queue and put aside (not reconciled), its informer has
    // synced, and the Secret LIST has failed at least once, so the reason below names that failure and only it.
    await until(() => processed.length >= 1, 'the request of the ConfigMap to be taken from the queue');
    await until(() => alpha.cache.informer(ConfigMapResource).hasSynced, 'the ConfigMap informer to sync');
    await until(() => /403/.test(controller.notSyncedReason() ?? ''), 'the Secret LIST to have failed');
    expect(controller.hasSynced).toBe(false);
    await expect(controller.waitForCacheSync(testScope.signal)).rejects.toThrow(
      /; last seen: not synced: Secret \(v1\) in cluster alpha \(last watch error: .*\/clusters\/a\/api\/v1\/secrets.*: 403 Forbidden: injected failure: 403 Forbidden\)$/,
    );
    expect(secretsSynced).toEqual([]);
    server.faults.reset();
    await until(() => secretsSynced.length === 1, 'the reconcile after the Secret informer synced');
    expect(secretsSynced).toEqual([true]);
    expect(controller.hasSynced).toBe(true);
    await controller.waitForCacheSync(testScope.signal);
  });
});

describe('per-watch cluster choice', { timeout: 30_000 }, () => {
  it("keeps for() to provider clusters by default and watches('local') to the local cluster", async () => {
    const local = fakeCluster(server, '', testScope.signal, '');
    const tenant = fakeCluster(server, 'tenant', testScope.signal, 't');
    await local.client.create(ConfigMapResource, cm('local-object'));
    await tenant.client.create(ConfigMapResource, cm('tenant-object'));
    const r = recorder();
    const controller = new ControllerBuilder('mixed')
      .for(ConfigMapResource)
      .watches(
        SecretResource,
        // A Secret in the local cluster names the tenant object it belongs to.
        enqueueFromMap<Secret>(
          (s) => [{ cluster: 'tenant', namespace: 'default', name: s.metadata?.labels?.tenantObject ?? '' }],
          { crossCluster: true },
        ),
        { clusters: 'local' },
      )
      .build(r.reconciler);
    await controller.engage('', local, testScope.signal);
    await controller.engage('tenant', tenant, testScope.signal);
    start(controller);
    await until(() => r.seen.length === 1, 'the tenant object');
    await tenant.client.create(SecretResource, {
      metadata: { name: 'ignored', namespace: 'default', labels: { tenantObject: 'x' } },
    });
    await local.client.create(SecretResource, {
      metadata: { name: 'compute', namespace: 'default', labels: { tenantObject: 'tenant-object' } },
    });
    await until(() => r.seen.length === 2, 'the reconcile caused by the local Secret');
    await sleep(50);
    expect(r.seen).toEqual(['tenant|default/tenant-object', 'tenant|default/tenant-object']);
    expect(local.cache.informer(ConfigMapResource).handlerCount).toBe(0);
    expect(tenant.cache.informer(SecretResource).handlerCount).toBe(0);
  });

  it('follows a cluster filter function and the local choice of for()', async () => {
    const shop = fakeCluster(server, 'shop-1', testScope.signal, 's1');
    const blog = fakeCluster(server, 'blog-1', testScope.signal, 'b1');
    const local = fakeCluster(server, '', testScope.signal, '');
    for (const c of [shop, blog, local]) await c.client.create(ConfigMapResource, cm('x'));
    const filtered = recorder();
    const onlyShops = new ControllerBuilder('filter')
      .for(ConfigMapResource, { clusters: (name) => name.startsWith('shop-') })
      .build(filtered.reconciler);
    const localOnly = recorder();
    const onlyLocal = new ControllerBuilder('local')
      .for(ConfigMapResource, { clusters: 'local' })
      .build(localOnly.reconciler);
    for (const controller of [onlyShops, onlyLocal]) {
      for (const c of [shop, blog, local]) await controller.engage(c.name, c, testScope.signal);
      start(controller);
    }
    await until(() => filtered.seen.length === 1 && localOnly.seen.length === 1, 'one reconcile each');
    await sleep(50);
    expect(filtered.seen).toEqual(['shop-1|default/x']);
    expect(localOnly.seen).toEqual(['|default/x']);
  });
  it('defaults owns() and watches() to the clusters of for()', async () => {
    const local = fakeCluster(server, '', testScope.signal, '');
    const tenant = fakeCluster(server, 'tenant', testScope.signal, 't');
    const controller = new ControllerBuilder('local-owner')
      .for(ConfigMapResource, { clusters: 'local' })
      .owns(SecretResource)
      .watches(
        SecretResource,
        enqueueFromMap<Secret>(() => []),
      )
      .build(async () => {});
    await controller.engage('', local, testScope.signal);
    await controller.engage('tenant', tenant, testScope.signal);
    expect(local.cache.informer(SecretResource).handlerCount).toBe(2);
    expect(tenant.cache.informers()).toEqual([]);
  });
});

const noop = async (): Promise<void> => {};

describe('ControllerBuilder', { timeout: 30_000 }, () => {
  it('applies event filters to for/owns/watches and per-watch predicates', async () => {
    const alpha = fakeCluster(server, 'alpha', testScope.signal, 'a');
    await alpha.client.create(ConfigMapResource, cm('keep', { team: 'shop' }));
    await alpha.client.create(ConfigMapResource, cm('other-team', { team: 'blog' }));
    await alpha.client.create(ConfigMapResource, cm('not-ready', { team: 'shop', ready: 'no' }));
    const r = recorder();
    const controller = new ControllerBuilder('filters')
      .withEventFilter(predicateFn((o) => o.metadata?.labels?.team === 'shop'))
      .for(ConfigMapResource, { predicates: [predicateFn((o) => o.metadata?.labels?.ready !== 'no')] })
      .build(r.reconciler);
    await controller.engage('alpha', alpha, testScope.signal);
    start(controller);
    await until(() => r.seen.length === 1, 'the one matching object');
    await sleep(50);
    expect(r.seen).toEqual(['alpha|default/keep']);
  });

  it('rejects builders that cannot make a working controller', () => {
    expect(() => new ControllerBuilder(' ')).toThrow(/needs a name/);
    expect(() => new ControllerBuilder('x').for(ConfigMapResource).for(SecretResource)).toThrow(
      /for\(\) was already called/,
    );
    expect(() => new ControllerBuilder('x').owns(SecretResource).build(noop)).toThrow(
      /owns\(\) needs for\(\)/,
    );
    expect(() => new ControllerBuilder('x').build(noop)).toThrow(/nothing to watch/);
    const builder = new ControllerBuilder('x').for(ConfigMapResource);
    builder.build(noop);
    expect(() => builder.build(noop)).toThrow(/already called/);
  });

  it('passes options through to the controller', () => {
    const controller = new ControllerBuilder('opts')
      .for(ConfigMapResource)
      .withOptions({ needLeaderElection: false })
      .build(async () => {});
    expect(controller.name).toBe('opts');
    expect(controller.needLeaderElection).toBe(false);
  });
});
