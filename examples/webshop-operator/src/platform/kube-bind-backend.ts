/**
 * A kube-bind backend in kcp, in a team's workspace: the workspace binds the exports the backend offers
 * to the team's own clusters (APIBindings labelled `kube-bind.io/exported=true`), and the backend's three
 * controllers and its HTTP binding service run on it, logging users in at the demo's identity provider.
 * A cluster that binds an export through it gets a namespace of its own in the workspace and a
 * kubeconfig scoped to it; what its konnector writes there travels on through the export's own provider
 * (for the Postgres export: the database team's syncagent).
 */
import { type Logger, Manager, ParsedKubeConfig, silentLogger } from '@kubeloom/core';
import { APIBindingResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { EXPORTED_LABEL, installKubeBindCrds } from '@kubeloom/kube-bind';
import {
  BindingServer,
  clusterBindingController,
  exportRequestController,
  serviceNamespaceController,
} from '@kubeloom/kube-bind/backend';
import { runInBackground } from './background-manager.ts';
import { type DemoIdentityProvider, startDemoIdentityProvider } from './demo-identity-provider.ts';
import type { ExportRef } from './export-ref.ts';
import { bindExport } from './tenant-binding.ts';

/** The name users see when they log in to the backend. */
export const KUBE_BIND_PROVIDER_NAME = 'kubeloom platform';
/** How long the konnector tokens the backend hands out live (it renews them before they expire). */
const KONNECTOR_TOKEN_SECONDS = 3600;

/** Options for {@link startKubeBindBackend}. */
export interface KubeBindBackendOptions {
  kcp: KcpTestEnvironment;
  /** The workspace the backend runs in (the observability team's, in the platform). */
  workspace: KcpWorkspace;
  /**
   * What the backend offers: each export is bound into the workspace and labelled exported. May be a
   * promise (of exports still being published): it is awaited once the kube-bind CRDs are installed.
   */
  offers: readonly ExportRef[] | Promise<readonly ExportRef[]>;
  timeoutMs: number;
  logger?: Logger;
}

/** A running backend. */
export interface KubeBindBackend {
  /** The backend's workspace: the offered bindings, and a namespace per consumer cluster. */
  readonly workspace: KcpWorkspace;
  /** Where `kubeloom bind` reaches the binding service. */
  readonly url: string;
  /** The identity provider users log in at (its scripted browser plays the user in the demo). */
  readonly identityProvider: DemoIdentityProvider;
  /** Stops the service, the controllers and the identity provider (the workspace stays). */
  stop(): Promise<void>;
}

/** The CA (base64 PEM) of kcp's admin kubeconfig, for the kubeconfigs the backend hands to konnectors. */
function kcpCertificateAuthority(kcp: KcpTestEnvironment): { certificateAuthorityData?: string } {
  const admin = new ParsedKubeConfig();
  admin.loadFromFile(kcp.kubeconfigPath);
  const caData = admin.getCurrentCluster()?.caData;
  return caData ? { certificateAuthorityData: caData } : {};
}

/** Installs the kube-bind CRDs in the workspace, binds the offered exports there and starts the backend. */
export async function startKubeBindBackend(options: KubeBindBackendOptions): Promise<KubeBindBackend> {
  const { kcp, timeoutMs, workspace } = options;
  const client = kcp.clientFor(workspace.path);
  await installKubeBindCrds(client, 'provider', timeoutMs);
  for (const offer of await options.offers) {
    await bindExport(kcp, workspace, offer, timeoutMs);
    await client.patch(APIBindingResource, offer.name, {
      metadata: { labels: { [EXPORTED_LABEL]: 'true' } },
    });
  }
  const credentials = {
    externalServer: `${kcp.baseUrl}/clusters/${workspace.path}`,
    ...kcpCertificateAuthority(kcp),
    tokenLifetimeSeconds: KONNECTOR_TOKEN_SECONDS,
  };
  const identityProvider = await startDemoIdentityProvider(options.logger ? { logger: options.logger } : {});
  const manager = new Manager({ local: client, logger: options.logger ?? silentLogger });
  manager.add(exportRequestController({ clusters: 'local' }));
  manager.add(serviceNamespaceController({ clusters: 'local' }));
  manager.add(clusterBindingController({ clusters: 'local', ...credentials }));
  const controllers = runInBackground(manager);
  const server = new BindingServer({
    client,
    providerPrettyName: KUBE_BIND_PROVIDER_NAME,
    oidc: { ...identityProvider.client, allowInsecureIssuer: true },
    ...credentials,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const stop = async (): Promise<void> => {
    await server.close();
    try {
      await controllers.stop();
    } finally {
      await identityProvider.stop();
    }
  };
  try {
    const url = await server.listen(0);
    identityProvider.acceptBackend(`${url}/api/callback`);
    return { workspace, url, identityProvider, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
