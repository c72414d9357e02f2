/**
 * The kube-bind side of the platform, as the seed's observability team runs it: the observability team's
 * workspace binds the database team's Postgres export and offers it to the team's own cluster through a
 * kube-bind backend there; that cluster binds it (the `kubeloom bind` flow, its konnector pulls the
 * Postgres CRDs in), and a composition controller there gives each Elasticsearch a Postgres Cluster,
 * which travels konnector → observability team's workspace → database team's syncagent → database team's
 * cluster, with the stand-in CloudNativePG's Ready coming back.
 */
import type { Client, Logger } from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import type { RunningManager } from './background-manager.ts';
import { startElasticsearchComposition } from './elasticsearch-composition.ts';
import type { ExportRef } from './export-ref.ts';
import { startKubeBindBackend } from './kube-bind-backend.ts';
import { bindThroughKubeBind } from './kube-bind-consumer.ts';
import { stopAll } from './team.ts';

/** Who logs in at the backend to bind the Postgres export into the observability cluster. */
export const OBSERVABILITY_USER = 'observability-team';

/** Options for {@link startKubeBindSide}. */
export interface KubeBindSideOptions {
  kcp: KcpTestEnvironment;
  /** The observability team's workspace (where the backend runs), or the promise of it. */
  workspace: KcpWorkspace | Promise<KcpWorkspace>;
  /**
   * The database team's published Postgres export, or the promise of it: the backend's CRDs are
   * installed meanwhile.
   */
  postgres: ExportRef | Promise<ExportRef>;
  /** The observability team's cluster (never one serving CloudNativePG's CRDs itself). */
  observabilityCluster: Client;
  timeoutMs: number;
  logger?: Logger;
  log?: (line: string) => void;
}

/** The running kube-bind side. */
export interface KubeBindSide extends RunningManager {
  /**
   * The workspace the backend runs in (the observability team's): the bound Postgres export and the
   * observability cluster's namespaces.
   */
  readonly backendWorkspace: KcpWorkspace;
  /** The binding service's URL. */
  readonly backendUrl: string;
  /** The APIServiceBinding on the observability cluster. */
  readonly bindingName: string;
  /** The observability cluster's namespace in the backend's workspace. */
  readonly clusterNamespace: string;
}

/**
 * Starts the backend in the observability team's workspace, binds Postgres into the observability cluster
 * and starts the composition there.
 */
export async function startKubeBindSide(options: KubeBindSideOptions): Promise<KubeBindSide> {
  const log = options.log ?? (() => {});
  const logger = options.logger ? { logger: options.logger } : {};
  const running: RunningManager[] = [];
  const postgres = Promise.resolve(options.postgres);
  const offers = postgres.then((ref) => [ref]);
  // Awaited only after the workspace is set up: a failed export meanwhile is no unhandled rejection.
  offers.catch(() => {});
  try {
    const backend = await startKubeBindBackend({
      kcp: options.kcp,
      workspace: await options.workspace,
      offers,
      timeoutMs: options.timeoutMs,
      ...logger,
    });
    running.push(backend);
    const { name: exportName } = await postgres;
    log(
      `kube-bind backend: ${backend.url} offers ${exportName} from ${backend.workspace.path} (OIDC login at ${backend.identityProvider.client.issuer})`,
    );
    const consumer = await bindThroughKubeBind({
      cluster: options.observabilityCluster,
      backend,
      exportName,
      crds: [`clusters.${exportName}`],
      user: OBSERVABILITY_USER,
      timeoutMs: options.timeoutMs,
      ...logger,
    });
    running.push(consumer);
    log(
      `observability cluster: ${OBSERVABILITY_USER} bound ${exportName} (kubeloom bind); the konnector installed its CRDs`,
    );
    running.push(startElasticsearchComposition(options.observabilityCluster, options.logger));
    log('observability cluster: composition controller running (a Postgres Cluster per Elasticsearch)');
    return {
      backendWorkspace: backend.workspace,
      backendUrl: backend.url,
      bindingName: consumer.bindingName,
      clusterNamespace: consumer.providerNamespace,
      stop: () => stopAll(running),
    };
  } catch (error) {
    await stopAll(running).catch(() => {});
    throw error;
  }
}
