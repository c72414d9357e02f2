/**
 * Runs the operator against a real kcp: a provider workspace with the export, a consumer workspace that
 * binds it and creates a Widget, and the operator reconciling it. The kcp is started for the run (the
 * binary is found or built on first use) unless KUBELOOM_KCP_KUBECONFIG names a running one.
 */
import { ConfigMapResource, JsonLogger, waitFor } from '@kubeloom/core';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXPORT_NAME, WidgetResource } from '../src/api.ts';
import { installApi, operatorManager } from '../src/operator.ts';

let kcp: KcpTestEnvironment;
/** How long to wait for each workspace and binding to be ready (seconds usually; more on a busy kcp). */
const timeoutMs = 180_000;
beforeAll(async () => {
  kcp = await KcpTestEnvironment.fromEnvironment();
});
afterAll(async () => {
  await kcp?.stop();
});

it('writes a Widget message into a ConfigMap and reports it in status', async () => {
  const [provider, consumer] = await Promise.all([
    kcp.createWorkspace({ generateName: 'widgets-provider-', timeoutMs }),
    kcp.createWorkspace({ generateName: 'widgets-consumer-', timeoutMs }),
  ]);
  await installApi(kcp.client, provider.path);
  await kcp.bindApiExport({
    workspace: consumer.path,
    exportPath: provider.path,
    exportName: EXPORT_NAME,
    timeoutMs,
  });

  const manager = operatorManager(kcp.clientFor(provider.path), {
    logger: new JsonLogger({ level: 'warn' }),
  });
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  try {
    const client = kcp.clientFor(consumer.path);
    await client.create(WidgetResource, {
      metadata: { name: 'hello', namespace: 'default' },
      spec: { message: 'Hello from __PACKAGE_NAME__' },
    });
    const cm = await waitFor(
      () => client.get(ConfigMapResource, 'hello-message', { namespace: 'default' }).catch(() => undefined),
      { what: 'ConfigMap default/hello-message in the consumer workspace', timeoutMs },
    );
    expect(cm.data).toEqual({ message: 'Hello from __PACKAGE_NAME__' });
    const widget = await waitFor(
      async () => {
        const w = await client.get(WidgetResource, 'hello', { namespace: 'default' });
        return w.status?.configMapName ? w : undefined;
      },
      { what: 'Widget default/hello to report its ConfigMap', timeoutMs },
    );
    expect(widget.status).toEqual({ configMapName: 'hello-message', observedGeneration: 1 });
  } finally {
    stop.abort();
    await running;
  }
});
