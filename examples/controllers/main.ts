/**
 * A small but complete controller program: one ConfigMap controller across two clusters, driven by a
 * Manager with health probes and metrics. For every ConfigMap labelled `example.kubeloom.io/token=true` it
 * keeps a Secret `<name>-token` (owned by the ConfigMap, so deleting or changing the Secret brings the
 * ConfigMap back to its reconciler), reports a `Ready` condition in an annotation and records Events.
 *
 * It runs against kubeloom's in-process FakeApiServer (one per cluster), so it needs no cluster:
 *
 *   node examples/controllers/main.ts
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  type Condition,
  type ConfigMap,
  ConfigMapResource,
  type Controller,
  ControllerBuilder,
  EventResource,
  JsonLogger,
  type Logger,
  Manager,
  type ReconcileContext,
  type Request,
  SecretResource,
  StaticProvider,
  TerminalError,
  createOrUpdate,
  getCondition,
  predicateFn,
  setCondition,
  setControllerReference,
  waitFor,
} from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';

/** ConfigMaps with this label get a token Secret. */
export const TOKEN_LABEL = 'example.kubeloom.io/token';
/** The annotation holding the ConfigMap's conditions (ConfigMaps have no status). */
export const CONDITIONS_ANNOTATION = 'example.kubeloom.io/conditions';

/** The conditions stored on a ConfigMap. */
export function conditionsOf(cm: ConfigMap): Condition[] {
  const text = cm.metadata?.annotations?.[CONDITIONS_ANNOTATION];
  return text ? (JSON.parse(text) as Condition[]) : [];
}

/**
 * Reconciles one ConfigMap: level-triggered, so it reads the current state and makes the world match it,
 * whatever event (or replay) brought it here.
 */
export async function reconcileTokenConfigMap(request: Request, ctx: ReconcileContext): Promise<void> {
  const cm = ctx.cluster.cache.reader(ConfigMapResource).get(request.name, request.namespace);
  // Deleted: nothing to do; the API server's garbage collector deletes the Secret it owns.
  if (!cm) return;
  const { client, events } = ctx.cluster;
  const secretName = `${request.name}-token`;

  const bytes = Number(cm.data?.tokenBytes ?? '32');
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) {
    await setReady(ctx, request, {
      status: 'False',
      reason: 'InvalidTokenBytes',
      message: `data.tokenBytes must be an integer from 16 to 64, got ${JSON.stringify(cm.data?.tokenBytes)}`,
    });
    events.record(cm, {
      type: 'Warning',
      reason: 'InvalidTokenBytes',
      message: 'data.tokenBytes is invalid',
    });
    // Retrying cannot fix a bad spec: the next change to the ConfigMap brings it back.
    throw new TerminalError(`ConfigMap ${request.namespace}/${request.name}: invalid data.tokenBytes`);
  }

  const { outcome } = await createOrUpdate(
    client,
    SecretResource,
    { name: secretName, namespace: request.namespace },
    (secret) => {
      setControllerReference(cm, secret, ConfigMapResource);
      secret.type = 'Opaque';
      // Keep an existing token; make one only when there is none.
      secret.data = { token: secret.data?.token ?? randomBytes(bytes).toString('base64') };
    },
    { signal: ctx.signal },
  );
  if (outcome !== 'unchanged') {
    ctx.log.info({ secret: secretName, outcome }, 'token secret written');
    events.record(cm, {
      type: 'Normal',
      reason: 'TokenSecretWritten',
      message: `Secret ${secretName} ${outcome}`,
    });
  }
  await setReady(ctx, request, {
    status: 'True',
    reason: 'TokenSecretReady',
    message: `Secret ${secretName} holds the token`,
  });
}

/** Writes the `Ready` condition into the ConfigMap's annotation (only if it changed). */
async function setReady(
  ctx: ReconcileContext,
  request: Request,
  ready: { status: 'True' | 'False'; reason: string; message: string },
): Promise<void> {
  await createOrUpdate(
    ctx.cluster.client,
    ConfigMapResource,
    { name: request.name, namespace: request.namespace },
    (cm) => {
      const current = conditionsOf(cm);
      const next = setCondition(current, { type: 'Ready', ...ready });
      if (next === current) return;
      cm.metadata = {
        ...cm.metadata,
        annotations: { ...cm.metadata?.annotations, [CONDITIONS_ANNOTATION]: JSON.stringify(next) },
      };
    },
    { signal: ctx.signal },
  );
}

/**
 * The controller: ConfigMaps with the label in every provider cluster, plus the Secrets they own. `onReconcile`
 * observes each request (for the printout).
 */
export function tokenController(
  manager: Manager,
  onReconcile: (request: Request) => void = () => {},
): Controller {
  return new ControllerBuilder('token-configmaps')
    .for(ConfigMapResource, {
      predicates: [predicateFn<ConfigMap>((cm) => cm.metadata?.labels?.[TOKEN_LABEL] === 'true')],
    })
    .owns(SecretResource)
    .withOptions({
      maxConcurrentReconciles: 2,
      logger: manager.logger,
      metrics: manager.controllerMetrics,
    })
    .build(async (request, ctx) => {
      onReconcile(request);
      await reconcileTokenConfigMap(request, ctx);
    });
}

/** What the program saw, for its test. */
export interface ExampleOutcome {
  /** Reconciled request keys (`cluster|namespace/name`), in order. */
  reconciled: string[];
  /** `cluster|namespace/name` → the Ready condition at the end. */
  ready: Record<string, Condition | undefined>;
  /** Reasons of the Events recorded, per cluster. */
  events: Record<string, string[]>;
  /** The token Secret in `shop` was deleted and the controller made a new one. */
  secretRecreated: boolean;
  /** `/readyz` status once the objects were reconciled. */
  readyz: number;
  /** `controller_runtime_reconcile_total` by result. */
  reconcileTotal: Record<string, number>;
}

export interface MainOptions {
  /** Where the summary goes. Default `console.log`. */
  print?: (line: string) => void;
  /** The manager's logger. Default: JSON lines at level `warn` on stderr. */
  logger?: Logger;
}

export async function main(options: MainOptions = {}): Promise<ExampleOutcome> {
  const print = options.print ?? console.log;
  const resources = [ConfigMapResource, SecretResource, EventResource];
  // Two clusters for the provider, and the manager's own ("local") cluster.
  const [shopServer, blogServer, localServer] = await Promise.all([
    FakeApiServer.start({ resources }),
    FakeApiServer.start({ resources }),
    FakeApiServer.start({ resources }),
  ]);
  try {
    const provider = new StaticProvider();
    const shop = provider.add('shop', shopServer.client()).client;
    const blog = provider.add('blog', blogServer.client()).client;

    const manager = new Manager({
      local: localServer.client(),
      provider,
      logger: options.logger ?? new JsonLogger({ level: 'warn', destination: process.stderr }),
      healthProbeBindAddress: '127.0.0.1:0',
      metricsBindAddress: '127.0.0.1:0',
      gracefulShutdownMs: 10_000,
    });
    const reconciled: string[] = [];
    manager.add(tokenController(manager, (r) => reconciled.push(`${r.cluster}|${r.namespace}/${r.name}`)));

    // One object exists before the manager starts; the others are created while it runs.
    await shop.create(ConfigMapResource, {
      metadata: { name: 'api', namespace: 'default', labels: { [TOKEN_LABEL]: 'true' } },
    });
    const run = manager.start();
    await manager.started;

    await blog.create(ConfigMapResource, {
      metadata: { name: 'feed', namespace: 'default', labels: { [TOKEN_LABEL]: 'true' } },
      data: { tokenBytes: '16' },
    });
    await blog.create(ConfigMapResource, {
      metadata: { name: 'broken', namespace: 'default', labels: { [TOKEN_LABEL]: 'true' } },
      data: { tokenBytes: 'lots' },
    });
    await blog.create(ConfigMapResource, { metadata: { name: 'unlabelled', namespace: 'default' } });

    const clients = { shop, blog };
    const objects = ['shop|default/api', 'blog|default/feed', 'blog|default/broken'];
    const ready: Record<string, Condition | undefined> = {};
    const readCondition = async (key: string) => {
      const [cluster = '', rest = ''] = key.split('|');
      const [namespace = '', name = ''] = rest.split('/');
      const cm = await clients[cluster as keyof typeof clients].get(ConfigMapResource, name, { namespace });
      return getCondition(conditionsOf(cm), 'Ready');
    };
    for (const key of objects) {
      ready[key] = await waitFor(() => readCondition(key), { what: `${key} to get a Ready condition` });
    }
    const readyz = (await fetch(`http://${address(manager.healthProbeAddress)}/readyz`)).status;

    // Owned objects lead back to their owner: delete the Secret, and the reconciler makes a new one.
    const old = await shop.get(SecretResource, 'api-token', { namespace: 'default' });
    await shop.delete(SecretResource, 'api-token', { namespace: 'default' });
    const recreated = await waitFor(
      () => shop.get(SecretResource, 'api-token', { namespace: 'default' }).catch(() => undefined),
      { what: 'the token Secret to be recreated' },
    );
    const secretRecreated = recreated.metadata?.uid !== old.metadata?.uid;

    const metrics = await (await fetch(`http://${address(manager.metricsAddress)}/metrics`)).text();
    const reconcileTotal: Record<string, number> = {};
    for (const [, result = '', value = ''] of metrics.matchAll(
      /^controller_runtime_reconcile_total\{controller="token-configmaps",result="(\w+)"\} (\S+)$/gm,
    )) {
      reconcileTotal[result] = Number(value);
    }

    // Events are written in the background (recording never blocks a reconcile).
    const events: Record<string, string[]> = {};
    const expected = { shop: 1, blog: 2 };
    for (const [cluster, client] of Object.entries(clients)) {
      events[cluster] = await waitFor(
        async () => {
          const list = await client.list(EventResource, { namespace: 'default' });
          const reasons = list.items.map((e) => `${e.involvedObject?.name} ${e.reason}`).toSorted();
          return reasons.length >= expected[cluster as keyof typeof expected] ? reasons : undefined;
        },
        { what: `the Events in ${cluster}` },
      );
    }

    // In a real program: manager.installSignalHandlers() and let SIGTERM stop it.
    await manager.stop();
    await run;

    for (const key of objects) {
      const c = ready[key];
      print(`${key}: Ready=${c?.status} (${c?.reason}) ${c?.message}`);
    }
    print(`reconciled ${reconciled.length} times: ${[...new Set(reconciled)].toSorted().join(', ')}`);
    print(`shop|default/api-token deleted and recreated: ${secretRecreated}`);
    for (const [cluster, reasons] of Object.entries(events))
      print(`events in ${cluster}: ${reasons.join(', ')}`);
    print(`/readyz: ${readyz}`);
    print(
      `controller_runtime_reconcile_total: ${Object.entries(reconcileTotal)
        .map(([result, n]) => `${result}=${n}`)
        .join(' ')}`,
    );
    return { reconciled, ready, events, secretRecreated, readyz, reconcileTotal };
  } finally {
    await Promise.all([shopServer.stop(), blogServer.stop(), localServer.stop()]);
  }
}

function address(info: AddressInfo | undefined): string {
  if (!info) throw new Error('the server is not listening');
  return `${info.address}:${info.port}`;
}

if (import.meta.main) await main();
