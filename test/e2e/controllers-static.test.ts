import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  SharedInformer,
  type Cluster,
  type ConfigMap,
  ConfigMapResource,
  type Controller,
  ControllerBuilder,
  EventResource,
  JsonLogger,
  Manager,
  type Reconciler,
  type Request,
  SecretResource,
  StaticProvider,
  controllerReferenceOf,
  createOrUpdate,
  predicateFn,
  requestKey,
  setControllerReference,
  waitFor,
} from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

/** ConfigMaps the controllers of this file reconcile carry this label; anything else (kube-root-ca.crt) is ignored. */
const MANAGED = 'e2e.kubeloom.io/managed';
const managed = predicateFn<ConfigMap>((cm) => cm.metadata?.labels?.[MANAGED] === 'true');

/** Reconciles per request key (`cluster|namespace/name`). */
class Reconciles {
  readonly #counts = new Map<string, number>();

  hit(request: Request): void {
    const key = requestKey(request);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  of(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** Sum over the requests of one cluster. */
  inCluster(cluster: string): number {
    let sum = 0;
    for (const [key, count] of this.#counts) if (key.startsWith(`${cluster}|`)) sum += count;
    return sum;
  }

  keys(): string[] {
    return [...this.#counts.keys()].toSorted();
  }
}

/** One workspace engaged under a provider name. */
interface Engaged {
  readonly workspace: KcpWorkspace;
  /** Admin client of the workspace (`/clusters/<path>`), for the test's own reads and writes. */
  readonly client: Client;
  readonly cluster: Cluster;
}

interface Harness {
  readonly kcp: KcpTestEnvironment;
  readonly provider: StaticProvider;
  readonly manager: Manager;
  readonly clusters: Record<string, Engaged>;
  /** Starts the manager; stopped (and awaited) when the test finishes. */
  start(): Promise<void>;
}

/** Workspaces engaged through a StaticProvider into a Manager (not yet started). */
async function harness(names: readonly string[]): Promise<Harness> {
  const kcp = await sharedKcp();
  const lifetime = new AbortController();
  const workspaces = await Promise.all(names.map(() => kcp.createWorkspace({ generateName: 'e2e-ctrl-' })));
  const provider = new StaticProvider();
  const clusters: Record<string, Engaged> = {};
  for (const [i, name] of names.entries()) {
    const workspace = workspaces[i];
    if (!workspace) throw new Error('unreachable: one workspace per name');
    const client = kcp.clientFor(workspace.path);
    // A client for the workspace URL is all a cluster needs: its objects carry the workspace's logical
    // cluster name in kcp.io/cluster, and the cache built for this client files them under this cluster.
    const cluster = provider.add(name, client);
    clusters[name] = { workspace, client, cluster };
  }
  const manager = new Manager({
    local: kcp.client,
    provider,
    logger: new JsonLogger({
      level: 'warn',
      destination: process.stderr,
      bindings: { test: 'controllers-static' },
    }),
    defaultMetrics: false,
  });
  let run: Promise<void> | undefined;
  onTestFinished(async () => {
    await manager.stop();
    await run;
    lifetime.abort();
    await kcp.stop();
  });
  return {
    kcp,
    provider,
    manager,
    clusters,
    async start() {
      run = manager.start();
      await manager.started;
    },
  };
}

function engaged(h: Harness, name: string): Engaged {
  const found = h.clusters[name];
  if (!found) throw new Error(`no cluster ${name} in the harness`);
  return found;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/**
 * The reconciler under test: makes sure a Secret `<name>-credentials` exists, controlled by the ConfigMap,
 * with `owner: <name>`; marks the ConfigMap with `data[<mark>] = <cluster>` and records an Event.
 */
function settingsReconciler(reconciles: Reconciles, mark = 'reconciled'): Reconciler {
  return async (request, ctx) => {
    reconciles.hit(request);
    const cm = ctx.cluster.cache.reader(ConfigMapResource).get(request.name, request.namespace);
    if (!cm) return;
    const { client } = ctx.cluster;
    const namespace = request.namespace;
    await createOrUpdate(
      client,
      SecretResource,
      { name: `${request.name}-credentials`, namespace },
      (secret) => {
        setControllerReference(cm, secret, ConfigMapResource);
        secret.data = { ...secret.data, owner: b64(request.name) };
      },
      { signal: ctx.signal },
    );
    const { outcome } = await createOrUpdate(
      client,
      ConfigMapResource,
      { name: request.name, namespace },
      (latest) => {
        latest.data = { ...latest.data, [mark]: request.cluster };
      },
      { signal: ctx.signal },
    );
    if (outcome === 'updated') {
      ctx.cluster.events.record(cm, {
        type: 'Normal',
        reason: 'Reconciled',
        message: `${mark} in cluster ${request.cluster}`,
      });
    }
  };
}

function settingsController(h: Harness, name: string, reconciler: Reconciler): Controller {
  return new ControllerBuilder(name)
    .for(ConfigMapResource, { predicates: [managed] })
    .owns(SecretResource)
    .withOptions({ logger: h.manager.logger, metrics: h.manager.controllerMetrics })
    .build(reconciler);
}

async function createSettings(client: Client, name: string, value: string): Promise<ConfigMap> {
  return client.create(ConfigMapResource, {
    metadata: { name, namespace: 'default', labels: { [MANAGED]: 'true' } },
    data: { value },
  });
}

/** Waits until the ConfigMap, read from the API server, has `data[key] === value`. */
async function untilData(client: Client, name: string, key: string, value: string): Promise<ConfigMap> {
  let last: ConfigMap | undefined;
  return waitFor(
    async () => {
      last = await client.get(ConfigMapResource, name, { namespace: 'default' });
      return last.data?.[key] === value ? last : undefined;
    },
    {
      what: `ConfigMap default/${name} to have data.${key}=${value}`,
      timeoutMs: 30_000,
      intervalMs: 100,
      describe: () => JSON.stringify(last?.data ?? null),
    },
  );
}

describe('controllers over a StaticProvider of kcp workspaces', () => {
  it('reconciles a ConfigMap in each workspace, with owned Secrets and Events', async () => {
    const h = await harness(['alpha', 'beta']);
    const alpha = engaged(h, 'alpha');
    const beta = engaged(h, 'beta');
    // One object exists before the controller starts (found by the initial list), one is created after.
    await createSettings(alpha.client, 'settings', 'a');
    const reconciles = new Reconciles();
    h.manager.add(settingsController(h, 'settings', settingsReconciler(reconciles)));
    await h.start();
    await createSettings(beta.client, 'settings', 'b');

    for (const [name, { client }] of [
      ['alpha', alpha],
      ['beta', beta],
    ] as const) {
      const cm = await untilData(client, 'settings', 'reconciled', name);
      const secret = await client.get(SecretResource, 'settings-credentials', { namespace: 'default' });
      expect(controllerReferenceOf(secret)).toMatchObject({
        kind: 'ConfigMap',
        name: 'settings',
        uid: cm.metadata?.uid,
        controller: true,
      });
      expect(secret.data?.owner).toBe(b64('settings'));
      await waitFor(
        async () =>
          (await client.list(EventResource, { namespace: 'default' })).items.find(
            (e) => e.involvedObject?.name === 'settings' && e.reason === 'Reconciled',
          ),
        { what: `the Reconciled Event in ${name}`, timeoutMs: 15_000, intervalMs: 200 },
      );
    }
    // Requests carry the provider's cluster names, and only managed objects were reconciled.
    expect(reconciles.keys()).toEqual(['alpha|default/settings', 'beta|default/settings']);
    // The ConfigMaps in the two workspaces share namespace and name but are distinct objects.
    const [a, b] = await Promise.all(
      [alpha, beta].map((e) => e.client.get(ConfigMapResource, 'settings', { namespace: 'default' })),
    );
    expect(a?.metadata?.uid).not.toBe(b?.metadata?.uid);
    expect([a?.data?.value, b?.data?.value]).toEqual(['a', 'b']);
  });

  it('reconciles the owner again when an owned Secret changes', async () => {
    const h = await harness(['alpha']);
    const { client } = engaged(h, 'alpha');
    const reconciles = new Reconciles();
    h.manager.add(settingsController(h, 'owner', settingsReconciler(reconciles)));
    await h.start();
    await createSettings(client, 'owner', 'x');
    await untilData(client, 'owner', 'reconciled', 'alpha');
    const key = 'alpha|default/owner';
    const before = reconciles.of(key);
    expect(before).toBeGreaterThan(0);

    // Tamper with the owned Secret: only the owns() watch can bring the owner back to reconcile it.
    await client.patch(
      SecretResource,
      'owner-credentials',
      { data: { owner: b64('tampered') } },
      { namespace: 'default' },
    );
    await waitFor(
      async () =>
        (await client.get(SecretResource, 'owner-credentials', { namespace: 'default' })).data?.owner ===
        b64('owner'),
      { what: 'the owner reconcile to restore the Secret', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(reconciles.of(key)).toBeGreaterThan(before);

    // A Secret it does not own wakes nothing. (First let the reconcile caused by the restoring write pass.)
    await sleep(1000);
    const settled = reconciles.of(key);
    await client.create(SecretResource, {
      metadata: { name: 'unrelated', namespace: 'default' },
      data: { x: b64('y') },
    });
    await sleep(1500);
    expect(reconciles.of(key)).toBe(settled);
    expect(reconciles.keys()).toEqual([key]);
  });

  it('stops reconciling a cluster removed from the provider', async () => {
    const h = await harness(['alpha', 'beta']);
    const alpha = engaged(h, 'alpha');
    const beta = engaged(h, 'beta');
    const reconciles = new Reconciles();
    const controller = settingsController(h, 'removal', settingsReconciler(reconciles));
    h.manager.add(controller);
    await createSettings(alpha.client, 'first', '1');
    await createSettings(beta.client, 'first', '1');
    await h.start();
    await untilData(alpha.client, 'first', 'reconciled', 'alpha');
    await untilData(beta.client, 'first', 'reconciled', 'beta');
    // Let the reconcile caused by the controller's own write to beta/first finish before counting.
    await sleep(1000);
    const betaBefore = reconciles.inCluster('beta');

    expect(h.provider.remove('beta')).toBe(true);
    await waitFor(() => !controller.engagedClusters.includes('beta'), {
      what: 'beta to be disengaged from the controller',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(h.manager.clusterNames()).toEqual(['alpha']);

    // Changes in beta after the removal: a new object and a change to an old one.
    await createSettings(beta.client, 'second', '2');
    await beta.client.patch(
      ConfigMapResource,
      'first',
      { data: { value: 'changed' } },
      { namespace: 'default' },
    );
    // The control: the same changes in alpha are reconciled, so events are flowing.
    await createSettings(alpha.client, 'second', '2');
    await untilData(alpha.client, 'second', 'reconciled', 'alpha');
    // An informer of our own on beta sees the changes (the removed cluster's informers have stopped)...
    const observer = new SharedInformer(beta.client, ConfigMapResource, { namespace: 'default' });
    const stopObserver = new AbortController();
    onTestFinished(() => stopObserver.abort());
    observer.start(stopObserver.signal);
    const betaCache = observer.scoped(beta.workspace.clusterName);
    await waitFor(
      () =>
        betaCache.get('second', 'default') !== undefined &&
        betaCache.get('first', 'default')?.data?.value === 'changed',
      { what: 'the changes in beta to be visible', timeoutMs: 15_000, intervalMs: 50 },
    );
    await sleep(1000);
    // ...but nothing of beta was reconciled.
    expect(reconciles.inCluster('beta')).toBe(betaBefore);
    const second = await beta.client.get(ConfigMapResource, 'second', { namespace: 'default' });
    expect(second.data?.reconciled).toBeUndefined();
  });

  it('replays already-engaged clusters into a controller added after start', async () => {
    const h = await harness(['alpha', 'beta']);
    const alpha = engaged(h, 'alpha');
    const beta = engaged(h, 'beta');
    const early = new Reconciles();
    h.manager.add(settingsController(h, 'early', settingsReconciler(early, 'early')));
    await createSettings(alpha.client, 'settings', 'a');
    await createSettings(beta.client, 'settings', 'b');
    await h.start();
    await untilData(alpha.client, 'settings', 'early', 'alpha');
    await untilData(beta.client, 'settings', 'early', 'beta');
    await waitFor(() => h.manager.ready, { what: 'the manager to be ready', timeoutMs: 30_000 });

    // Both clusters were engaged long ago: the late controller only learns of them by replay.
    const late = new Reconciles();
    const lateController = settingsController(h, 'late', settingsReconciler(late, 'late'));
    h.manager.add(lateController);
    await untilData(alpha.client, 'settings', 'late', 'alpha');
    await untilData(beta.client, 'settings', 'late', 'beta');
    // The local cluster ('') is engaged too; the controller's watches only apply to provider clusters.
    expect(lateController.engagedClusters.toSorted()).toEqual(['', 'alpha', 'beta']);
    expect(late.keys()).toEqual(['alpha|default/settings', 'beta|default/settings']);
  });
});
