import { ConfigMapResource, waitFor } from '@kubeloom/core';
import {
  InitializingWorkspacesProvider,
  type KcpWorkspace,
  WorkspaceResource,
  removeInitializer,
} from '@kubeloom/kcp-provider';
import { describe, expect, it } from 'vitest';
import { workspaceLifecycleTest } from './workspace-lifecycle-test.ts';

describe('InitializingWorkspacesProvider against real kcp', () => {
  const lifecycle = workspaceLifecycleTest('initializer');

  it('engages workspaces of an initializer type, initializes them, and they become Ready', {
    timeout: 300_000,
  }, async () => {
    const typeName = 'kubeloom-greeted';
    const { kcp, home, inHome } = await lifecycle.setUp({ generateName: 'init-types-', typeName });

    const provider = new InitializingWorkspacesProvider({ client: inHome, workspaceType: typeName });
    const initialized: string[] = [];
    lifecycle.run(provider, 'initializer', async (req, { cluster }) => {
      const identifier = provider.identifier;
      if (!identifier) throw new Error('the WorkspaceType has not been read yet');
      // Set the workspace up through the virtual workspace, then let it go.
      try {
        await cluster.client.create(ConfigMapResource, {
          metadata: { name: 'initialized-by-kubeloom', namespace: 'default' },
          data: { cluster: req.cluster },
        });
      } catch (err) {
        if (!(err instanceof Error && /AlreadyExists/.test(err.message))) throw err;
      }
      if (await removeInitializer(cluster.client, identifier)) initialized.push(req.cluster);
    });

    const workspaces: KcpWorkspace[] = await Promise.all(
      [1, 2].map(() =>
        kcp.createWorkspace({
          parent: home.path,
          generateName: 'greeted-',
          type: { name: typeName, path: home.path },
          untilPhase: 'Initializing',
          timeoutMs: 120_000,
        }),
      ),
    );
    await waitFor(
      async () => {
        for (const ws of workspaces)
          if ((await inHome.get(WorkspaceResource, ws.name)).status?.phase !== 'Ready') return false;
        return true;
      },
      { what: 'both workspaces to become Ready', timeoutMs: 120_000 },
    );
    expect(initialized.toSorted()).toEqual(workspaces.map((w) => w.clusterName).toSorted());
    for (const ws of workspaces) {
      const cm = await kcp
        .clientFor(ws.path)
        .get(ConfigMapResource, 'initialized-by-kubeloom', { namespace: 'default' });
      expect(cm.data?.cluster).toBe(ws.clusterName);
    }
    // Once initialized, they leave the provider.
    await waitFor(() => provider.clusterNames().length === 0, { what: 'disengaged after initialization' });
    await expect(provider.get(workspaces[0]?.clusterName ?? '')).rejects.toThrow(/not engaged/);
  });
});
