import { ConfigMapResource, isNotFound, waitFor } from '@kubeloom/core';
import {
  type KcpWorkspace,
  LogicalClusterResource,
  TerminatingWorkspacesProvider,
  WorkspaceResource,
  deleteWorkspace,
  removeTerminator,
} from '@kubeloom/kcp-provider';
import { describe, expect, it } from 'vitest';
import { workspaceLifecycleTest } from './workspace-lifecycle-test.ts';

describe('TerminatingWorkspacesProvider against real kcp', () => {
  const lifecycle = workspaceLifecycleTest('terminator');

  it('engages deleted workspaces of a terminator type, cleans them up, removes the terminator, and they go away', {
    timeout: 300_000,
  }, async () => {
    const typeName = 'kubeloom-farewelled';
    const { kcp, home, inHome } = await lifecycle.setUp({ generateName: 'term-types-', typeName });
    const workspaces: KcpWorkspace[] = await Promise.all(
      [1, 2].map(() =>
        kcp.createWorkspace({
          parent: home.path,
          generateName: 'farewelled-',
          type: { name: typeName, path: home.path },
          timeoutMs: 120_000,
        }),
      ),
    );

    const provider = new TerminatingWorkspacesProvider({ client: inHome, workspaceType: typeName });
    const terminated: string[] = [];
    const seenWhileTerminating: Record<string, string | undefined> = {};
    lifecycle.run(provider, 'terminator', async (req, { cluster }) => {
      const identifier = provider.identifier;
      if (!identifier) throw new Error('the WorkspaceType has not been read yet');
      // The workspace's content is still there while it waits for us. kcp v0.30's terminating virtual
      // workspace serves only LogicalClusters, so clean up through the shard (a client of our own).
      try {
        const cm = await kcp
          .clientFor(req.cluster)
          .get(ConfigMapResource, 'farewell-note', { namespace: 'default' });
        seenWhileTerminating[req.cluster] = cm.data?.note;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (await removeTerminator(cluster.client, identifier)) terminated.push(req.cluster);
    });
    await provider.ready;
    expect(provider.notReadyReason()).toBeUndefined();
    expect(provider.clusterNames()).toEqual([]);

    for (const ws of workspaces) {
      await kcp.clientFor(ws.path).create(ConfigMapResource, {
        metadata: { name: 'farewell-note', namespace: 'default' },
        data: { note: `bye from ${ws.clusterName}` },
      });
    }
    const lc = await kcp.clientFor(workspaces[0]?.path ?? '').get(LogicalClusterResource, 'cluster');
    expect(lc.status?.terminators).toEqual([provider.identifier]);

    await Promise.all(workspaces.map((ws) => deleteWorkspace(kcp.client, ws.path)));
    await waitFor(
      async () => {
        for (const ws of workspaces) {
          try {
            await inHome.get(WorkspaceResource, ws.name);
            return false;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        return true;
      },
      { what: 'both workspaces to be gone', timeoutMs: 120_000 },
    );
    expect(terminated.toSorted()).toEqual(workspaces.map((w) => w.clusterName).toSorted());
    for (const ws of workspaces)
      expect(seenWhileTerminating[ws.clusterName]).toBe(`bye from ${ws.clusterName}`);
    await waitFor(() => provider.clusterNames().length === 0, { what: 'disengaged after termination' });
    await expect(provider.get(workspaces[0]?.clusterName ?? '')).rejects.toThrow(
      `cluster "${workspaces[0]?.clusterName}" is not engaged: it is not terminating for WorkspaceType ${typeName}`,
    );
  });
});
