import { type Aware, type Logger, waitFor } from '@kubeloom/core';
import { FakeApiServer } from '@kubeloom/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APIExportEndpointSliceResource } from '../apis/apis.ts';
import { WorkspaceResource } from '../apis/tenancy.ts';
import { APIExportProvider } from './apiexport-provider.ts';

// Edge cases real kcp cannot be forced into on demand: rejected credentials, and a watch that is refused
// for a while after the slice was read and then comes back without any new event.

const noClusters: Aware = { engage: async () => {} };

function errorLines(lines: string[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj, msg) => lines.push(typeof obj === 'string' ? obj : (msg ?? '')),
    child: () => logger,
  };
  return logger;
}

describe('APIExportProvider diagnostics (fake API server)', () => {
  let server: FakeApiServer;
  let stop: AbortController;

  beforeEach(async () => {
    stop = new AbortController();
    server = await FakeApiServer.start({ resources: [APIExportEndpointSliceResource, WorkspaceResource] });
    server.seed(APIExportEndpointSliceResource, [
      {
        metadata: { name: 'widgets', annotations: { 'kcp.io/cluster': 'root:p' } },
        spec: { export: { name: 'widgets' } },
      },
    ]);
  });
  afterEach(async () => {
    stop.abort();
    await server.stop();
  });

  it('says when kcp rejects the credentials (401)', async () => {
    const lines: string[] = [];
    const provider = new APIExportProvider({
      client: server.client({ cluster: 'root:p', token: 'not-the-token' }),
      endpointSlice: 'widgets',
      logger: errorLines(lines),
    });
    void provider.start(noClusters, stop.signal);
    const reason = await waitFor(() => provider.notReadyReason(), { what: 'a reason' });
    expect(reason).toBe(
      `kcp rejected the provider's credentials (401 Unauthorized) reading APIExportEndpointSlice "widgets" in workspace root:p (${server.url}/clusters/root:p): check the kubeconfig's user (an expired or wrong token, or a client certificate kcp does not trust); retrying`,
    );
    expect(lines).toEqual([reason]);
  });

  it('reports a watch refused (403) after the slice was read, and clears it once a read succeeds again', {
    timeout: 60_000,
  }, async () => {
    // The parent workspace says ours exists, so the 403 is about RBAC.
    server.seed(WorkspaceResource, [{ metadata: { name: 'p', annotations: { 'kcp.io/cluster': 'root' } } }]);
    const lines: string[] = [];
    const provider = new APIExportProvider({
      client: server.client({ cluster: 'root:p' }),
      endpointSlice: 'widgets',
      logger: errorLines(lines),
      informerOptions: { backoff: { initialMs: 200, maxMs: 200 } },
    });
    void provider.start(noClusters, stop.signal);
    await provider.ready;
    expect(provider.notReadyReason()).toBeUndefined();

    server.faults.failNext({
      status: 403,
      count: 3,
      match: { watch: true },
      message: 'apiexportendpointslices.apis.kcp.io is forbidden: access denied',
    });
    server.faults.dropWatches();
    const reason = `the provider's identity is forbidden (403) reading APIExportEndpointSlice "widgets" in workspace root:p (${server.url}/clusters/root:p): apiexportendpointslices.apis.kcp.io is forbidden: access denied. Grant the identity get, list and watch on apiexportendpointslices.apis.kcp.io in workspace root:p (RBAC there), or check the kubeconfig's user; retrying`;
    await waitFor(() => provider.notReadyReason() === reason, { what: 'the 403 reason' });
    await waitFor(() => server.faults.pendingFailures === 0, { what: 'the three refusals' });
    // No event ever arrives on the healed watch; a successful read clears the reason.
    await waitFor(() => provider.notReadyReason() === undefined, { what: 'the reason to clear' });
    expect(lines).toEqual([reason]);
  });

  it('tells a 403 for a workspace path that does not exist from missing RBAC, by asking the parent', async () => {
    server.faults.failNext({
      status: 403,
      count: 1000,
      match: { path: 'apiexportendpointslices' },
      message: 'access denied',
    });
    const provider = new APIExportProvider({
      client: server.client({ cluster: 'root:typo' }),
      endpointSlice: 'widgets',
    });
    void provider.start(noClusters, stop.signal);
    await waitFor(() => provider.notReadyReason()?.startsWith('workspace '), { what: 'the reason' });
    expect(provider.notReadyReason()).toBe(
      `workspace root:typo does not exist (kcp answered 403) reading APIExportEndpointSlice "widgets" in workspace root:typo (${server.url}/clusters/root:typo): access denied. Check the workspace path in the kubeconfig's server URL; retrying`,
    );
  });
});
