import { waitFor } from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceResource } from '../apis/tenancy.ts';
import { clusterUrl } from '../apis/urls.ts';
import { createWorkspace } from './workspaces.ts';

// A real kcp refuses a create with this answer only when it is overloaded, which a test cannot arrange.
describe('createWorkspace on a busy kcp', () => {
  let server: FakeApiServer | undefined;
  afterEach(() => server?.stop());

  it('tries again when admission timed out (nothing was stored), and fails on other server errors', async () => {
    server = await FakeApiServer.start({
      resources: [{ resource: WorkspaceResource, statusSubresource: true }],
    });
    const client = server.client();
    const root = client.withServer(clusterUrl(client.rest.server, 'root'));
    server.faults.failNext({
      status: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: resource quota evaluation timed out',
      match: { method: 'POST' },
    });
    const creating = createWorkspace(client, { name: 'busy', untilPhase: 'Initializing', timeoutMs: 20_000 });
    // Play kcp's part: give the stored workspace its logical cluster and phase.
    let stored = await waitFor(() => root.get(WorkspaceResource, 'busy').catch(() => undefined), {
      what: 'the workspace to be stored',
      timeoutMs: 20_000,
    });
    stored = await root.update(WorkspaceResource, { ...stored, spec: { ...stored.spec, cluster: 'c1' } });
    await root.updateStatus(WorkspaceResource, { ...stored, status: { phase: 'Initializing' } });
    expect(await creating).toMatchObject({ path: 'root:busy', clusterName: 'c1' });
    expect(server.faults.pendingFailures).toBe(0);

    server.faults.failNext({ status: 500, message: 'etcd is on fire', match: { method: 'POST' } });
    await expect(createWorkspace(client, { name: 'other', timeoutMs: 5_000 })).rejects.toThrow(
      'etcd is on fire',
    );
  });
});
