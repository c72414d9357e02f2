import {
  Client,
  type ConfigMap,
  ConfigMapResource,
  ResourceNotServedError,
  SharedInformer,
  WatchStalledError,
  waitFor,
} from '@kubeloom/core';
import { WidgetResource, widgetSchema } from '@kubeloom/example-smoke/widgets';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { storeVersions, waitForStoreToMatchServer } from './store-convergence.ts';
import { TcpGate } from './tcp-gate.ts';

const log = (line: string): void => {
  console.log(`[informer-liveness] ${line}`);
};

interface Observed {
  at: number;
  method: string;
  url: string;
  stream: boolean;
  status?: number | undefined;
  finished?: boolean;
}

/** A client whose requests are recorded (with their start time and final status). */
function observedClient(client: Client, server: string): { client: Client; requests: Observed[] } {
  const requests: Observed[] = [];
  const rest = client.withServer(server).rest.withObserver({
    requestStarted: (info) => requests.push({ ...info, at: performance.now() }),
    requestFinished: (info) => {
      const r = requests.findLast((q) => q.url === info.url && !q.finished);
      if (r) Object.assign(r, { status: info.status, finished: true });
    },
  });
  return { client: new Client(rest), requests };
}

const cm = (name: string, value: string): ConfigMap => ({
  metadata: { name, namespace: 'default' },
  data: { value },
});

describe('watch errors and liveness against a real kcp', () => {
  it('names a resource the server does not serve once, keeps retrying, and syncs once it is served', {
    timeout: 180_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const ws = await kcp.createWorkspace({ generateName: 'notserved-' });
    const { client, requests } = observedClient(kcp.client, kcp.clientFor(ws.path).rest.server);
    const errors: Error[] = [];
    const informer = new SharedInformer(client, WidgetResource, {
      namespace: 'default',
      onError: (err) => errors.push(err),
    });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);

    const lists = (): Observed[] => requests.filter((r) => !r.stream && r.url.includes('/widgets'));
    await waitFor(() => lists().filter((r) => r.status === 404).length >= 3, {
      what: 'three LISTs of widgets answered 404',
      timeoutMs: 30_000,
      describe: () => JSON.stringify(lists()),
    });
    const url = `${kcp.baseUrl}/clusters/${ws.path}/apis/example.io/v1/namespaces/default/widgets`;
    // Told once, however often it was retried; the informer's latest error says the same.
    expect(errors.map((e) => e.message)).toEqual([
      `the server does not serve resource "widgets" of API example.io/v1 at ${url} (404 NotFound: 404 page not found). ` +
        `Usually its CustomResourceDefinition is not installed or not yet Established; in kcp, the APIExport that ` +
        `provides it is not bound in this workspace, or this APIExport virtual workspace does not serve it because ` +
        `it is neither one of the export's resource schemas nor a claimed resource. Retrying with backoff.`,
    ]);
    const notServed = informer.resourceNotServed;
    expect(notServed).toBeInstanceOf(ResourceNotServedError);
    expect({
      group: notServed?.group,
      version: notServed?.version,
      plural: notServed?.plural,
      url: notServed?.url,
      phase: notServed?.phase,
    }).toEqual({ group: 'example.io', version: 'v1', plural: 'widgets', url, phase: 'list' });
    expect(informer.hasSynced).toBe(false);

    // Once the API is bound into the workspace, the informer syncs on its own.
    const provider = await kcp.createWorkspace({ generateName: 'notserved-provider-' });
    await kcp.createApiExport({
      workspace: provider.path,
      name: 'widgets.example.io',
      schemas: [widgetSchema],
    });
    await kcp.bindApiExport({
      workspace: ws.path,
      exportPath: provider.path,
      exportName: 'widgets.example.io',
    });
    const bound = performance.now();
    await informer.waitForSync({ timeoutMs: 30_000 });
    log(
      `synced ${((performance.now() - bound) / 1000).toFixed(1)} s after the binding was ready; ` +
        `${lists().length} LISTs in all, ${errors.length} error callback(s)`,
    );
    expect(informer.lastError).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('keeps a healthy idle watch open instead of reopening it', { timeout: 120_000 }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const ws = await kcp.createWorkspace({ generateName: 'idle-' });
    const { client, requests } = observedClient(kcp.client, kcp.clientFor(ws.path).rest.server);
    const errors: string[] = [];
    const informer = new SharedInformer(client, ConfigMapResource, {
      namespace: 'default',
      onError: (err) => errors.push(err.message),
    });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 30_000 });

    // Nobody writes: after more than two quiet periods (20 s each) the server was probed and answered (any
    // status proves it is there; kcp answers 403 to /version at its root), and the one watch is still the
    // one that was opened.
    const probes = (): Observed[] => requests.filter((r) => r.url.endsWith('/version'));
    await waitFor(() => probes().filter((r) => r.status !== undefined).length >= 2, {
      what: 'two answered liveness probes',
      timeoutMs: 90_000,
      intervalMs: 500,
      describe: () => JSON.stringify(requests),
    });
    const watches = requests.filter((r) => r.stream);
    expect(watches).toHaveLength(1);
    expect(watches[0]?.finished).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('detects a frozen connection within about 30 s, says so, and reconverges once it thaws', {
    timeout: 180_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const ws = await kcp.createWorkspace({ generateName: 'frozen-' });
    const admin = kcp.clientFor(ws.path);
    await admin.create(ConfigMapResource, cm('before', 'seed'));
    const gate = await TcpGate.listen(Number(new URL(kcp.baseUrl).port));
    onTestFinished(() => gate.close());
    const gated = `https://127.0.0.1:${gate.port}`;
    const { client } = observedClient(kcp.client, `${gated}/clusters/${ws.path}`);
    const errors: { at: number; error: Error }[] = [];
    const informer = new SharedInformer(client, ConfigMapResource, {
      namespace: 'default',
      onError: (error) => errors.push({ at: performance.now(), error }),
    });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 30_000 });
    // The watch streams: a change made now reaches the store.
    await admin.create(ConfigMapResource, cm('streaming', 'yes'));
    await waitFor(() => storeVersions(informer).has('streaming'), { what: 'the watch to deliver a change' });

    gate.freeze();
    const frozenAt = performance.now();
    // Changes the frozen watch cannot deliver.
    await admin.create(ConfigMapResource, cm('during', 'frozen'));
    await admin.delete(ConfigMapResource, 'before', { namespace: 'default' });
    const stalled = await waitFor(() => errors.find((e) => e.error instanceof WatchStalledError), {
      what: 'the informer to report the stalled watch',
      timeoutMs: 45_000,
      intervalMs: 100,
      describe: () => JSON.stringify(errors.map((e) => e.error.message)),
    });
    const detectMs = stalled.at - frozenAt;
    log(`frozen connection detected after ${(detectMs / 1000).toFixed(1)} s: ${stalled.error.message}`);
    expect(detectMs).toBeLessThan(36_000);
    expect(stalled.error.message).toMatch(
      new RegExp(
        `^watch on configmaps/v1 at ${gated}/clusters/${ws.path}/api/v1/namespaces/default/configmaps received nothing for \\d+ s ` +
          `and the connection did not answer a keepalive probe \\(GET ${gated}/version got no answer within 5000 ms\\); reconnecting$`,
      ),
    );

    gate.open();
    const thawed = performance.now();
    await waitForStoreToMatchServer(informer, admin, ConfigMapResource, {
      namespace: 'default',
      what: 'the informer store to match a fresh LIST after the thaw',
    });
    log(`reconverged ${((performance.now() - thawed) / 1000).toFixed(2)} s after the thaw`);
    expect([...storeVersions(informer).keys()]).toContain('during');
    expect([...storeVersions(informer).keys()]).not.toContain('before');
  });
});
