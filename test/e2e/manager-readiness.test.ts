import { Client, ControllerBuilder, type Logger, Manager, StaticProvider, waitFor } from '@kubeloom/core';
import { WidgetResource, widgetSchema } from '@kubeloom/example-smoke/widgets';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

const log = (line: string): void => {
  process.stderr.write(`[manager-readiness] ${line}\n`);
};

/** A logger keeping each line's level and message; warnings and errors also go to stderr. */
function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      const text = typeof obj === 'string' ? obj : (msg ?? '');
      lines.push({ level, msg: text });
      if (level === 'warn' || level === 'error') log(`${level}: ${text}`);
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return Object.assign(logger, { lines });
}

describe('manager readiness against kcp', () => {
  it('is not ready while a controller watches a resource its workspace does not have, naming it; ready once the API is bound', {
    timeout: 180_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const consumer = await kcp.createWorkspace({ generateName: 'e2e-readiness-' });
    const provider = new StaticProvider();
    provider.add(consumer.path, kcp.clientFor(consumer.path));
    const logger = recordingLogger();
    const manager = new Manager({
      local: Client.fromKubeConfig({ path: kcp.kubeconfigPath }),
      provider,
      logger,
      defaultMetrics: false,
      healthProbeBindAddress: '127.0.0.1:0',
    });
    const reconciled: string[] = [];
    manager.add(
      new ControllerBuilder('widgets')
        .for(WidgetResource)
        .withOptions({ logger: manager.logger, metrics: manager.controllerMetrics })
        .build(async (request) => {
          reconciled.push(`${request.namespace}/${request.name}`);
        }),
    );
    const run = manager.start();
    onTestFinished(async () => {
      await manager.stop();
      await run;
    });
    await manager.started;
    const readyz = `http://127.0.0.1:${manager.healthProbeAddress?.port}/readyz`;
    const probe = async (): Promise<{ status: number; body: string }> => {
      const response = await fetch(readyz);
      return { status: response.status, body: await response.text() };
    };

    const startedAt = performance.now();
    let last = await probe();
    await waitFor(
      async () => {
        last = await probe();
        return last.body.includes('does not serve');
      },
      {
        what: '/readyz to name the resource kcp does not serve',
        timeoutMs: 30_000,
        intervalMs: 50,
        describe: () => last.body,
      },
    );
    log(`/readyz named the missing API ${((performance.now() - startedAt) / 1000).toFixed(1)} s after start`);
    expect(last).toEqual({
      status: 503,
      body:
        `[-]manager failed: waiting for the caches of controller widgets to sync: Widget (example.io/v1) in cluster ${consumer.path} (the server does not serve it: 404)\n` +
        'readyz check failed\n',
    });
    expect(manager.ready).toBe(false);
    expect(logger.lines.filter((l) => l.msg === 'manager is ready')).toEqual([]);

    // The kcp way of installing the API: export it from a provider workspace and bind it in the consumer.
    const apiProvider = await kcp.createWorkspace({ generateName: 'e2e-readiness-api-' });
    await kcp.createApiExport({
      workspace: apiProvider.path,
      name: 'widgets.example.io',
      schemas: [widgetSchema],
    });
    await kcp.bindApiExport({
      workspace: consumer.path,
      exportPath: apiProvider.path,
      exportName: 'widgets.example.io',
    });
    const boundAt = performance.now();
    await waitFor(async () => (last = await probe()).status === 200, {
      what: '/readyz to turn 200 once the API is bound',
      timeoutMs: 90_000,
      intervalMs: 100,
      describe: () => last.body,
    });
    log(
      `/readyz turned 200 ${((performance.now() - boundAt) / 1000).toFixed(1)} s after the binding was ready`,
    );
    expect(last.body).toBe('ok');
    await waitFor(() => logger.lines.some((l) => l.msg === 'manager is ready'), {
      what: 'the "manager is ready" log line',
      timeoutMs: 10_000,
    });
    expect(logger.lines.filter((l) => l.msg === 'manager is ready')).toHaveLength(1);

    // And the controller works: a new widget is reconciled.
    await kcp.clientFor(consumer.path).create(WidgetResource, {
      metadata: { name: 'first', namespace: 'default' },
      spec: { size: 1 },
    });
    await waitFor(() => reconciled.includes('default/first'), {
      what: 'the widget to be reconciled',
      timeoutMs: 30_000,
    });
  });
});
