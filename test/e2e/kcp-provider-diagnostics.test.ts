import { request } from 'node:http';
import {
  Client,
  ConfigMapResource,
  ControllerBuilder,
  type Logger,
  type Provider,
  Manager,
  ServiceAccountResource,
  newMetricsRegistry,
  silentLogger,
  waitFor,
} from '@kubeloom/core';
import {
  APIBindingResource,
  APIExportEndpointSliceResource,
  APIExportProvider,
  type KcpWorkspace,
  InitializingWorkspacesProvider,
  type PermissionClaim,
  TerminatingWorkspacesProvider,
  WorkspaceTypeResource,
  missingClaimsWarning,
  missingPermissionClaims,
} from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

const EXPORT = 'diagnostics.kubeloom.dev';
const claims: PermissionClaim[] = [
  { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch'] },
  { group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'] },
];
const MISSING_HINT =
  "check the name (kcp creates one endpoint slice per APIExport, named like the export, in the export's workspace) and that the kubeconfig's server points at the APIExport's workspace";

/** One captured log line: level, message, and the bindings. */
interface Line {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function capturingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(
        typeof obj === 'string'
          ? { level, msg: obj, fields: bindings }
          : { level, msg: msg ?? '', fields: { ...bindings, ...obj } },
      );
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => capturingLogger(lines, { ...bindings, ...more }),
  };
}

/** GET on the manager's probe server: status and body. */
function probe(manager: Manager, path: string): Promise<{ status: number; body: string }> {
  const address = manager.healthProbeAddress;
  if (!address) throw new Error('the probe server is not listening yet');
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: address.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

const notReadyBody = (reason: string): string =>
  `[-]manager failed: the provider is not ready: ${reason}\nreadyz check failed\n`;

/** A client for `server` that authenticates with `token` (TLS unchecked: a test identity on loopback). */
function clientWithToken(server: string, token: string): Client {
  return Client.fromKubeConfig({
    text: [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: kcp, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: u, user: {token: "${token}"}}]`,
      'contexts: [{name: c, context: {cluster: kcp, user: u}}]',
      'current-context: c',
    ].join('\n'),
  });
}

/** Waits until `/readyz` answers exactly `body` with `status`. */
const readyzIs = (manager: Manager, body: string, status = 503) => {
  let last = 'no answer yet';
  return waitFor(
    async () => {
      const got = await probe(manager, '/readyz');
      last = `${got.status} ${JSON.stringify(got.body)}`;
      return got.status === status && got.body === body;
    },
    {
      what: `/readyz to answer ${status} ${JSON.stringify(body)}`,
      timeoutMs: 60_000,
      describe: () => `it last answered ${last}`,
    },
  );
};

describe('kcp provider diagnostics against real kcp', { timeout: 300_000 }, () => {
  let kcp: KcpTestEnvironment;
  let provider: KcpWorkspace;
  const stops: AbortController[] = [];
  const managers: Manager[] = [];

  beforeAll(async () => {
    kcp = await sharedKcp();
    provider = await kcp.createWorkspace({ generateName: 'diag-provider-' });
    await kcp.createApiExport({
      workspace: provider.path,
      name: EXPORT,
      schemas: [],
      permissionClaims: claims,
    });
  }, 300_000);

  afterAll(async () => {
    for (const stop of stops) stop.abort();
    await Promise.all(managers.map((m) => m.stop()));
    await kcp?.stop();
  });

  /** Starts a manager on `apiexport` with a probe server; stopped after the file. */
  function startManager(apiexport: Provider, local: Client): Manager {
    const stop = new AbortController();
    stops.push(stop);
    const manager = new Manager({
      local,
      provider: apiexport,
      logger: silentLogger,
      healthProbeBindAddress: '127.0.0.1:0',
    });
    managers.push(manager);
    void manager.start(stop.signal);
    return manager;
  }

  it('reports a slice name that does not exist, keeps /readyz failing with that reason, and turns ready once the slice is created', async () => {
    const lines: Line[] = [];
    const sliceName = 'typo.diagnostics.kubeloom.dev';
    const apiexport = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: sliceName,
      logger: capturingLogger(lines),
    });
    const manager = startManager(apiexport, kcp.clientFor(provider.path));
    const reason = `APIExportEndpointSlice "${sliceName}" not found in workspace ${provider.path} (${kcp.baseUrl}/clusters/${provider.path}): ${MISSING_HINT}; APIExportEndpointSlices in that workspace: "${EXPORT}"`;
    await readyzIs(manager, notReadyBody(reason));
    expect(apiexport.notReadyReason()).toBe(reason);
    await waitFor(() => lines.some((l) => l.level === 'error'), { what: 'the error line' });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([reason]);
    let ready = false;
    void apiexport.ready.then(() => {
      ready = true;
    });

    await kcp.clientFor(provider.path).create(APIExportEndpointSliceResource, {
      metadata: { name: sliceName },
      spec: { export: { path: provider.path, name: EXPORT } },
    });
    await readyzIs(manager, 'ok', 200);
    await waitFor(() => ready, { what: 'provider.ready to resolve' });
    expect(apiexport.notReadyReason()).toBeUndefined();
    expect(apiexport.clusterNames()).toEqual([]);
    await waitFor(() => lines.some((l) => l.msg.includes('has no endpoints yet')), {
      what: 'the info line about the empty slice',
    });
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'resolved; the provider is ready again',
        `APIExportEndpointSlice "${sliceName}" in workspace ${provider.path} has no endpoints yet: no workspace binds APIExport "${EXPORT}" yet (kcp adds one virtual-workspace URL per shard once an APIBinding exists there); ready with 0 clusters`,
      ]),
    );
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('reports the right slice name in the wrong workspace, and a workspace that does not exist', async () => {
    const elsewhere = await kcp.createWorkspace({ generateName: 'diag-elsewhere-' });
    const wrongWorkspace = new APIExportProvider({
      client: kcp.clientFor(elsewhere.path),
      endpointSlice: EXPORT,
    });
    const m1 = startManager(wrongWorkspace, kcp.clientFor(elsewhere.path));
    await readyzIs(
      m1,
      notReadyBody(
        `APIExportEndpointSlice "${EXPORT}" not found in workspace ${elsewhere.path} (${kcp.baseUrl}/clusters/${elsewhere.path}): ${MISSING_HINT}; there is no APIExportEndpointSlice in that workspace`,
      ),
    );

    const nowhere = `${provider.path}:does-not-exist`;
    const noWorkspace = new APIExportProvider({ client: kcp.clientFor(nowhere), endpointSlice: EXPORT });
    const m2 = startManager(noWorkspace, kcp.clientFor(provider.path));
    // The first 403 is reported at once; the reason turns specific when the parent workspace has said that
    // the path does not exist (a lookup that takes a while on a busy kcp).
    const doesNotExist = new RegExp(
      `^workspace ${nowhere} does not exist \\(kcp answered 403\\) reading APIExportEndpointSlice "${EXPORT}" in workspace ${nowhere} \\(${kcp.baseUrl.replace(/[.]/g, '\\.')}/clusters/${nowhere}\\): .+\\. Check the workspace path in the kubeconfig's server URL; retrying$`,
    );
    const reason = await waitFor(
      () => {
        const current = noWorkspace.notReadyReason();
        return current !== undefined && doesNotExist.test(current) ? current : undefined;
      },
      {
        what: 'the reason to say the workspace does not exist',
        timeoutMs: 60_000,
        describe: () => noWorkspace.notReadyReason() ?? 'no reason yet',
      },
    );
    expect(reason).toMatch(doesNotExist);
    await readyzIs(m2, notReadyBody(reason));
  });

  it('tells a forbidden identity (403) apart, logs it once however often the watch retries, and rejects a server without /clusters/', async () => {
    // A ServiceAccount of the provider workspace without any RBAC: kcp authenticates it and forbids the read.
    const admin = kcp.clientFor(provider.path);
    await waitFor(
      () =>
        admin
          .create(ServiceAccountResource, { metadata: { name: 'no-rights', namespace: 'default' } })
          .then(() => true)
          .catch((err: unknown) =>
            err instanceof Error && /AlreadyExists/.test(err.message) ? true : Promise.reject(err),
          ),
      { what: 'the ServiceAccount to be created', timeoutMs: 60_000 },
    );
    const tokenRequest = await waitFor(
      () =>
        admin.rest.request<{ status?: { token?: string } }>({
          method: 'POST',
          path: '/api/v1/namespaces/default/serviceaccounts/no-rights/token',
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { expirationSeconds: 3600 },
          },
        }),
      { what: 'a token for the ServiceAccount', timeoutMs: 60_000 },
    );
    const token = tokenRequest.status?.token ?? '';
    expect(token).not.toBe('');
    const lines: Line[] = [];
    let forbiddenAnswers = 0;
    const apiexport = new APIExportProvider({
      client: clientWithToken(`${kcp.baseUrl}/clusters/${provider.path}`, token),
      endpointSlice: EXPORT,
      logger: capturingLogger(lines),
      informerOptions: { backoff: { initialMs: 100, maxMs: 400 } },
      observer: {
        requestFinished: (info) => {
          if (info.status === 403) forbiddenAnswers++;
        },
      },
    });
    const manager = startManager(apiexport, admin);
    await waitFor(() => forbiddenAnswers >= 5, {
      what: 'five 403 answers to the retried list',
      timeoutMs: 60_000,
    });
    const reason = apiexport.notReadyReason() ?? '';
    expect(reason).toMatch(
      new RegExp(
        `^the provider's identity is forbidden \\(403\\) reading APIExportEndpointSlice "${EXPORT}" in workspace ${provider.path} \\(.+\\): .+\\. Check that workspace ${provider.path} exists \\(kcp answers 403 for a path that does not\\), then grant the identity get, list and watch on apiexportendpointslices\\.apis\\.kcp\\.io in workspace ${provider.path} \\(RBAC there\\), or check the kubeconfig's user; retrying$`,
      ),
    );
    expect(reason).not.toContain(token);
    await readyzIs(manager, notReadyBody(reason));
    await waitFor(() => lines.some((l) => l.level === 'error'), { what: 'the error line' });
    const retriesBefore = forbiddenAnswers;
    await waitFor(() => forbiddenAnswers >= retriesBefore + 3, { what: 'three more 403 answers' });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([reason]);

    expect(
      () =>
        new APIExportProvider({
          client: kcp.clientFor(provider.path).withServer(kcp.baseUrl),
          endpointSlice: EXPORT,
        }),
    ).toThrow(
      `APIExportProvider: the server URL ${kcp.baseUrl} does not name a workspace; point the kubeconfig (or client) at the workspace that holds APIExportEndpointSlice "${EXPORT}" (the APIExport's workspace), e.g. ${kcp.baseUrl}/clusters/root:my-provider`,
    );
  });

  it('warns about a binding that accepts only some claims, exports it as a metric, and can withhold engagement until all are accepted', async () => {
    const [full, partial] = (await Promise.all(
      ['diag-full-', 'diag-partial-'].map((generateName) => kcp.createWorkspace({ generateName })),
    )) as [KcpWorkspace, KcpWorkspace];
    await kcp.bindApiExport({ workspace: full.path, exportPath: provider.path, exportName: EXPORT });
    await kcp.bindApiExport({
      workspace: partial.path,
      exportPath: provider.path,
      exportName: EXPORT,
      acceptClaim: (c) => c.resource === 'configmaps',
    });

    const lines: Line[] = [];
    const registry = newMetricsRegistry({ defaultMetrics: false });
    const warns = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: EXPORT,
      logger: capturingLogger(lines),
      registry,
    });
    const gated = new APIExportProvider({
      client: kcp.clientFor(provider.path),
      endpointSlice: EXPORT,
      engageOnlyWithRequiredClaims: true,
      requiredPermissionClaims: [
        { group: '', resource: 'configmaps' },
        { group: '', resource: 'secrets' },
      ],
    });
    for (const p of [warns, gated]) {
      const m = startManager(p, kcp.clientFor(provider.path));
      m.add(new ControllerBuilder('noop').for(ConfigMapResource).build(async () => {}));
    }
    await waitFor(() => warns.clusterNames().length === 2, {
      what: 'both workspaces engaged',
      timeoutMs: 60_000,
    });
    await waitFor(() => gated.clusterNames().length === 1, {
      what: 'one workspace engaged',
      timeoutMs: 60_000,
    });
    expect(gated.clusterNames()).toEqual([full.clusterName]);

    const partialBinding = await kcp.clientFor(partial.path).get(APIBindingResource, EXPORT);
    const warning = `APIBinding "${EXPORT}" in workspace ${partial.path} (logical cluster ${partial.clusterName}) does not accept permission claims the controllers need: secrets.core (rejected). Accept them in the binding's spec.permissionClaims (state Accepted, with the verbs the APIExport claims); the workspace is engaged anyway, but the controllers cannot see or change those objects there`;
    expect(missingClaimsWarning(partialBinding, missingPermissionClaims(partialBinding), false)).toBe(
      warning,
    );
    const claimWarnings = () =>
      lines.filter((l) => l.level === 'warn' && l.msg.startsWith('APIBinding')).map((l) => l.msg);
    await waitFor(() => claimWarnings().length > 0, { what: 'the warning' });
    expect(claimWarnings()).toEqual([warning]);
    expect(
      (await registry.getSingleMetricAsString('kubeloom_kcp_binding_missing_claims')).split('\n').slice(2),
    ).toEqual([
      `kubeloom_kcp_binding_missing_claims{cluster="${partial.clusterName}",workspace="${partial.path}",binding="${EXPORT}"} 1`,
    ]);

    // Accepting the missing claim engages the held-back workspace and clears the series.
    await kcp.clientFor(partial.path).patch(APIBindingResource, EXPORT, {
      spec: {
        permissionClaims: (partialBinding.spec.permissionClaims ?? []).map((c) => ({
          ...c,
          state: 'Accepted' as const,
        })),
      },
    });
    await waitFor(() => gated.clusterNames().length === 2, {
      what: 'both engaged once accepted',
      timeoutMs: 60_000,
    });
    await waitFor(
      async () =>
        !(await registry.getSingleMetricAsString('kubeloom_kcp_binding_missing_claims')).includes('{'),
      { what: 'the series to go' },
    );
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toContain(
      `APIBinding "${EXPORT}" in workspace ${partial.path} (logical cluster ${partial.clusterName}) now accepts every permission claim the controllers need`,
    );

    // Rejecting a claim later disengages the workspace at once.
    const fullBinding = await kcp.clientFor(full.path).get(APIBindingResource, EXPORT);
    await kcp.clientFor(full.path).patch(APIBindingResource, EXPORT, {
      spec: {
        permissionClaims: (fullBinding.spec.permissionClaims ?? []).map((c) =>
          c.resource === 'configmaps' ? { ...c, state: 'Rejected' as const } : c,
        ),
      },
    });
    await waitFor(() => !gated.clusterNames().includes(full.clusterName), {
      what: 'the workspace that rejected a claim to be disengaged',
      timeoutMs: 60_000,
    });
    expect(warns.clusterNames()).toContain(full.clusterName);
  });

  it('reports a WorkspaceType that is missing or is not an initializer, and turns ready once it is', async () => {
    const home = await kcp.createWorkspace({ generateName: 'diag-types-' });
    const typeName = 'kubeloom-diagnosed';
    const initializing = new InitializingWorkspacesProvider({
      client: kcp.clientFor(home.path),
      workspaceType: typeName,
    });
    const manager = startManager(initializing, kcp.clientFor(home.path));
    await readyzIs(
      manager,
      notReadyBody(
        `WorkspaceType "${typeName}" not found in workspace ${home.path} (${kcp.baseUrl}/clusters/${home.path}): check the name and that the kubeconfig's server points at the workspace that holds the WorkspaceType; there is no WorkspaceType in that workspace`,
      ),
    );
    await kcp.clientFor(home.path).create(WorkspaceTypeResource, {
      metadata: { name: typeName },
      spec: { extend: { with: [{ name: 'universal', path: 'root' }] } },
    });
    await readyzIs(
      manager,
      notReadyBody(
        `WorkspaceType "${typeName}" in workspace ${home.path} does not have spec.initializer: true, so no workspace ever waits for it; set it, or follow another type`,
      ),
    );
    await kcp.clientFor(home.path).patch(WorkspaceTypeResource, typeName, { spec: { initializer: true } });
    await readyzIs(manager, 'ok', 200);
    await initializing.ready;

    expect(
      () =>
        new TerminatingWorkspacesProvider({
          client: kcp.clientFor(home.path).withServer(kcp.baseUrl),
          workspaceType: typeName,
        }),
    ).toThrow(
      `TerminatingWorkspacesProvider: the server URL ${kcp.baseUrl} does not name a workspace; point the kubeconfig (or client) at the workspace that holds WorkspaceType "${typeName}", e.g. ${kcp.baseUrl}/clusters/root:my-provider`,
    );
  });
});
