import {
  type Client,
  ControllerBuilder,
  Manager,
  type Provider,
  type Reconciler,
  silentLogger,
} from '@kubeloom/core';
import { type KcpWorkspace, LogicalClusterResource } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { afterAll } from 'vitest';
import { createLifecycleWorkspaceType, sharedKcp } from './kcp.ts';

/** The home workspace of a workspace-lifecycle provider test, holding its WorkspaceType. */
export interface LifecycleHome {
  kcp: KcpTestEnvironment;
  home: KcpWorkspace;
  /** A client for the home workspace. */
  inHome: Client;
}

/**
 * The frame the initializing and terminating provider tests share: `setUp` creates a fresh home workspace
 * with a WorkspaceType named `typeName` in the given lifecycle role; `run` starts a manager there with the
 * provider and one controller over the LogicalClusters it engages. Stopped after the file's tests.
 */
export function workspaceLifecycleTest(role: 'initializer' | 'terminator'): {
  setUp(options: { generateName: string; typeName: string }): Promise<LifecycleHome>;
  run(provider: Provider, controllerName: string, reconcile: Reconciler): void;
} {
  const stop = new AbortController();
  let kcp: KcpTestEnvironment | undefined;
  let inHome: Client | undefined;
  let manager: Manager | undefined;
  afterAll(async () => {
    stop.abort();
    await manager?.stop();
    await kcp?.stop();
  });
  return {
    async setUp({ generateName, typeName }) {
      kcp = await sharedKcp();
      const home = await createLifecycleWorkspaceType(kcp, { generateName, typeName, role });
      inHome = kcp.clientFor(home.path);
      return { kcp, home, inHome };
    },
    run(provider, controllerName, reconcile) {
      if (!inHome) throw new Error('workspaceLifecycleTest: call setUp before run');
      manager = new Manager({ local: inHome, logger: silentLogger, provider });
      manager.add(new ControllerBuilder(controllerName).for(LogicalClusterResource).build(reconcile));
      void manager.start(stop.signal);
    },
  };
}
