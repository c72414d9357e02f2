/**
 * A kube-bind backend for e2e tests: its three controllers on the backend workspace and its HTTP service,
 * logging users in at a test identity provider.
 */
import { type Client, ParsedKubeConfig, newCluster } from '@kubeloom/core';
import {
  BindingServer,
  clusterBindingController,
  exportRequestController,
  serviceNamespaceController,
} from '@kubeloom/kube-bind/backend';
import { OIDC_CLIENT, type TestOidcProvider } from './kube-bind-oidc.ts';

/** The backend: its three controllers on the backend workspace and its HTTP service. */
export interface RunningBackend {
  readonly server: BindingServer;
  stop(): Promise<void>;
}

/** Starts the backend on the workspace `client` points at; konnector kubeconfigs point at `server`. */
export async function startBackend(
  client: Client,
  server: string,
  caData: string | undefined,
  oidc: TestOidcProvider,
  port = 0,
): Promise<RunningBackend> {
  const lifetime = new AbortController();
  const cluster = newCluster('', client, { signal: lifetime.signal });
  const credentials = {
    externalServer: server,
    ...(caData ? { certificateAuthorityData: caData } : {}),
    tokenLifetimeSeconds: 3600,
  };
  const controllers = [
    exportRequestController({ clusters: 'local' }),
    serviceNamespaceController({ clusters: 'local' }),
    clusterBindingController({ clusters: 'local', ...credentials }),
  ];
  for (const c of controllers) await c.engage('', cluster, lifetime.signal);
  const done = controllers.map((c) => c.start(lifetime.signal));
  const http = new BindingServer({
    client,
    providerPrettyName: 'Widget Corp',
    oidc: { issuer: oidc.issuer, ...OIDC_CLIENT, allowInsecureIssuer: true },
    ...credentials,
  });
  await http.listen(port);
  return {
    server: http,
    stop: async () => {
      await http.close();
      lifetime.abort();
      await Promise.all(done);
    },
  };
}

/** The CA (base64 PEM) of a kcp's admin kubeconfig, for the kubeconfigs the backend hands out. */
export function kcpCaData(kubeconfigPath: string): string | undefined {
  const admin = new ParsedKubeConfig();
  admin.loadFromFile(kubeconfigPath);
  return admin.getCurrentCluster()?.caData;
}
