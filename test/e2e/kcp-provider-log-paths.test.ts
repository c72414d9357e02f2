import { type Logger, Manager, waitFor } from '@kubeloom/core';
import {
  APIExportProvider,
  InitializingWorkspacesProvider,
  WorkspaceTypeResource,
  removeInitializer,
} from '@kubeloom/kcp-provider';
import { EXPORT_NAME, setUpConsumer, setUpProvider } from '@kubeloom/example-quickstart/setup';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

/** A logger that keeps every line as its fields plus `msg`. */
function recordingLogger(
  lines: Array<Record<string, unknown>>,
  bindings: Record<string, unknown> = {},
): Logger {
  const at = (obj: object | string, msg?: string): void => {
    lines.push({ ...bindings, ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) });
  };
  return {
    debug: at,
    info: at,
    warn: at,
    error: at,
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

describe('kcp provider logs name workspaces by path too', () => {
  it("logs an engaged workspace's path as clusterPath beside its logical cluster name", {
    timeout: 180_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const provider = await setUpProvider(kcp);
    const consumer = await setUpConsumer(kcp, provider);

    const lines: Array<Record<string, unknown>> = [];
    const logger = recordingLogger(lines);
    const apiexport = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: EXPORT_NAME,
      logger,
    });
    const manager = new Manager({ local: kcp.clientFor(provider.path), provider: apiexport, logger });
    const stop = new AbortController();
    void manager.start(stop.signal);
    onTestFinished(async () => {
      stop.abort();
      await manager.stop();
    });

    const engaging = (): Record<string, unknown> | undefined =>
      lines.find((l) => l.msg === 'engaging workspace' && l.cluster === consumer.clusterName);
    await waitFor(() => engaging() !== undefined, {
      what: `the provider to engage ${consumer.path}`,
      timeoutMs: 120_000,
      describe: () => `logged: ${lines.map((l) => l.msg).join(' | ')}`,
    });
    expect(engaging()).toMatchObject({
      provider: 'apiexport',
      cluster: consumer.clusterName,
      clusterPath: consumer.path,
      msg: 'engaging workspace',
    });
  });

  it('logs an initializing workspace by path on engage and on disengage', { timeout: 240_000 }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const home = await kcp.createWorkspace({ generateName: 'log-paths-' });
    const typeName = 'kubeloom-log-paths';
    await kcp.clientFor(home.path).create(WorkspaceTypeResource, {
      metadata: { name: typeName },
      spec: { initializer: true, extend: { with: [{ name: 'universal', path: 'root' }] } },
    });
    const lines: Array<Record<string, unknown>> = [];
    const logger = recordingLogger(lines);
    const provider = new InitializingWorkspacesProvider({
      client: kcp.clientFor(home.path),
      workspaceType: typeName,
      logger,
    });
    const manager = new Manager({ local: kcp.clientFor(home.path), provider, logger });
    const stop = new AbortController();
    void manager.start(stop.signal);
    onTestFinished(async () => {
      stop.abort();
      await manager.stop();
    });

    const workspace = await kcp.createWorkspace({
      parent: home.path,
      generateName: 'greeted-',
      type: { name: typeName, path: home.path },
      untilPhase: 'Initializing',
      timeoutMs: 120_000,
    });
    const line = (msg: string): Record<string, unknown> | undefined =>
      lines.find((l) => l.msg === msg && l.cluster === workspace.clusterName);
    await waitFor(() => line('engaging initializing workspace') !== undefined, {
      what: `the provider to engage ${workspace.path}`,
      timeoutMs: 120_000,
    });
    expect(line('engaging initializing workspace')).toMatchObject({ clusterPath: workspace.path });

    const identifier = provider.identifier;
    if (!identifier) throw new Error('the WorkspaceType has not been read yet');
    await removeInitializer((await provider.get(workspace.clusterName)).client, identifier);
    await waitFor(() => line('disengaging workspace: no longer initializing for us') !== undefined, {
      what: `the provider to disengage ${workspace.path}`,
      timeoutMs: 120_000,
    });
    expect(line('disengaging workspace: no longer initializing for us')).toMatchObject({
      clusterPath: workspace.path,
    });
  });
});
