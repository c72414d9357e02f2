/**
 * The platform the webshop operator runs on: three provider teams in kcp and the clusters behind them.
 *
 * - The database team publishes CloudNativePG's Postgres API (a syncagent and a stand-in CNPG operator on
 *   the team cluster).
 * - The observability team publishes its Elasticsearch API the same way (a second syncagent, a stand-in
 *   Elastic operator), on the same team cluster in their own namespaces, or on a cluster of its own.
 *   With a cluster of its own, that cluster also pulls the database team's Postgres API from kcp through
 *   kube-bind (a backend in kcp, a konnector there), and a composition controller gives each
 *   Elasticsearch a Postgres Cluster that the database team's stand-in serves (see kube-bind-side.ts).
 * - The webshop team gets its workspace; its operator (installed separately) exports the Webshop API and
 *   runs the shops on the compute cluster, where a stand-in marks Deployments available (no kubelet).
 *
 * Tenants are workspaces that bind the exports they use.
 */
import type { Logger } from '@kubeloom/core';
import { installCrds } from '@kubeloom/core/testing';
import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import type { RunningManager } from './background-manager.ts';
import { startDatabaseTeam } from './database-team.ts';
import { startDeploymentAvailabilityStandIn } from './deployment-availability-stand-in.ts';
import { elasticsearchCrd } from './elasticsearch-crd.ts';
import type { ExportRef } from './export-ref.ts';
import { startObservabilityTeam } from './observability-team.ts';
import { postgresCrdFiles } from './postgres-crds.ts';
import { publishedResourceCrd } from './published-resource-crd.ts';
import { type KubeBindSide, startKubeBindSide } from './kube-bind-side.ts';
import { bindExport } from './tenant-binding.ts';
import { stopAll } from './team.ts';

export type { ExportRef } from './export-ref.ts';
export { startDeploymentAvailabilityStandIn } from './deployment-availability-stand-in.ts';
export type { DeploymentAvailabilityStandInOptions } from './deployment-availability-stand-in.ts';
export type { RunningManager } from './background-manager.ts';
export { ELASTICSEARCH_GROUP, elasticsearchCrd } from './elasticsearch-crd.ts';
export { POSTGRES_EXPORT } from './database-team.ts';
export { ELASTICSEARCH_EXPORT, ELASTICSEARCH_ENDPOINT_SLICE } from './observability-team.ts';
export { AGENT_LABEL } from './team-agent.ts';
export { compositionPostgresName } from './elasticsearch-composition.ts';
export { signInWithScriptedBrowser, startDemoIdentityProvider } from './demo-identity-provider.ts';
export type {
  DemoIdentityProvider,
  DemoIdentityProviderOptions,
  DemoOidcClient,
} from './demo-identity-provider.ts';
export { OBSERVABILITY_USER } from './kube-bind-side.ts';
export type { KubeBindSide } from './kube-bind-side.ts';

/** The label selector of the shops' Pods on the compute cluster. */
export const WEBSHOP_POD_SELECTOR = 'app.kubernetes.io/name=webshop';

/** What the platform runs on. */
export interface PlatformOptions {
  /** Root access to kcp. */
  kcp: KcpTestEnvironment;
  /**
   * The database and observability teams' service cluster. Never a cluster shared with other programs:
   * it gets cluster-scoped PublishedResources, which an agent without a selector there would publish too.
   */
  teamClusters: KubeTestEnvironment;
  /**
   * The observability team's own cluster. When given, the observability team runs there instead of on
   * `teamClusters`, and that cluster binds the Postgres export through kube-bind and composes a Postgres
   * per Elasticsearch. Never a cluster serving CloudNativePG's CRDs itself or running another konnector,
   * and, like `teamClusters`, never one shared with other syncagents (it gets a PublishedResource).
   */
  observabilityCluster?: KubeTestEnvironment;
  /** The webshop team's compute cluster (with kube-controller-manager; see the availability stand-in). */
  compute: KubeTestEnvironment;
  /**
   * Which Pods on `compute` the availability stand-in marks ready: default the shops' Pods
   * (`app.kubernetes.io/name=webshop`), so other workloads on a shared cluster keep their Pending Pods.
   */
  workloadPodSelector?: string;
  /** Prefix for workspace, agent and PublishedResource names, so several platforms can share one kcp. */
  prefix?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Logger for the agents and stand-ins. Default silent. */
  logger?: Logger;
  /** How long each step may take (loaded machines are slow). Default 180 s. */
  timeoutMs?: number;
}

/** A running platform: three provider teams, their exports, and the agents and stand-ins that serve them. */
export interface Platform {
  /** The database team's workspace, holding the APIExport `postgresql.cnpg.io`. */
  readonly databaseTeam: KcpWorkspace;
  /** The observability team's workspace, holding the APIExport `search.observability.kubeloom.dev`. */
  readonly observabilityTeam: KcpWorkspace;
  /** The webshop team's workspace, empty: the Webshop API is installed there by its operator's code. */
  readonly webshopTeam: KcpWorkspace;
  /**
   * The kube-bind side, when the observability team has a cluster of its own: the backend runs in the
   * observability team's workspace, which binds the Postgres export.
   */
  readonly kubeBind?: Omit<KubeBindSide, 'stop'>;
  /** The two published exports, for tenants to bind and for the Webshop export's permission claims. */
  readonly exports: { postgres: ExportRef; elastic: ExportRef };
  /** A tenant workspace binding `exports` (all permission claims accepted), waiting until each API is served. */
  createTenant(name: string, exports: readonly ExportRef[]): Promise<KcpWorkspace>;
  /** Binds one more export into an existing tenant (accepting all claims) and waits until it is served. */
  bind(tenant: KcpWorkspace, exportRef: ExportRef): Promise<void>;
  /** Stops every agent and stand-in this platform started (the servers and workspaces stay). */
  stop(): Promise<void>;
}

/**
 * Like `Promise.all`, but settles every promise before rejecting with the first failure: what the others
 * start is in `running` by then, so the caller's cleanup stops it too.
 */
async function allSettledOrFirstFailure<T extends readonly unknown[]>(
  promises: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Starts the platform; resolves once both exports are published and can be bound. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { kcp } = options;
  const prefix = options.prefix ?? '';
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 180_000;
  const logger = options.logger ? { logger: options.logger } : {};
  const service = options.teamClusters.client;
  const observabilityCluster = options.observabilityCluster?.client;
  if (observabilityCluster) {
    await Promise.all([
      installCrds(service, [...postgresCrdFiles(), await publishedResourceCrd()], { timeoutMs }),
      installCrds(observabilityCluster, [elasticsearchCrd, await publishedResourceCrd()], { timeoutMs }),
    ]);
    log('team cluster: CloudNativePG and PublishedResource CRDs installed');
    log('observability cluster: Elasticsearch and PublishedResource CRDs installed');
  } else {
    await installCrds(service, [...postgresCrdFiles(), elasticsearchCrd, await publishedResourceCrd()], {
      timeoutMs,
    });
    log('team cluster: CloudNativePG, Elasticsearch and PublishedResource CRDs installed');
  }
  const running: RunningManager[] = [];
  try {
    const databaseTeam = startDatabaseTeam({ kcp, service, prefix, timeoutMs, ...logger }).then((team) => {
      running.push(team);
      log(
        `database team: ${team.workspace.path} exports ${team.exportRef.name} (syncagent + stand-in CloudNativePG)`,
      );
      return team;
    });
    const observabilityTeam = startObservabilityTeam({
      kcp,
      service: observabilityCluster ?? service,
      prefix,
      timeoutMs,
      ...logger,
    }).then((team) => {
      running.push(team);
      log(
        `observability team: ${team.workspace.path} exports ${team.exportRef.name} (syncagent + stand-in Elastic, ${observabilityCluster ? 'observability' : 'team'} cluster)`,
      );
      return team;
    });
    const [database, observability, webshopTeam, kubeBind] = await allSettledOrFirstFailure([
      databaseTeam,
      observabilityTeam,
      kcp.createWorkspace({ name: `${prefix}webshop-team`, timeoutMs }),
      observabilityCluster
        ? startKubeBindSide({
            kcp,
            workspace: observabilityTeam.then((team) => team.workspace),
            postgres: databaseTeam.then((team) => team.exportRef),
            observabilityCluster,
            timeoutMs,
            log,
            ...logger,
          }).then((side) => {
            running.push(side);
            return side;
          })
        : Promise.resolve(undefined),
    ]);
    log(`webshop team: ${webshopTeam.path}`);
    running.push(
      startDeploymentAvailabilityStandIn(options.compute.client, {
        labelSelector: options.workloadPodSelector ?? WEBSHOP_POD_SELECTOR,
        ...logger,
      }),
    );
    log(
      `compute cluster: a stand-in kubelet marks Pods ready (${options.workloadPodSelector ?? WEBSHOP_POD_SELECTOR})`,
    );
    return {
      databaseTeam: database.workspace,
      observabilityTeam: observability.workspace,
      webshopTeam,
      ...(kubeBind
        ? {
            kubeBind: {
              backendWorkspace: kubeBind.backendWorkspace,
              backendUrl: kubeBind.backendUrl,
              bindingName: kubeBind.bindingName,
              clusterNamespace: kubeBind.clusterNamespace,
            },
          }
        : {}),
      exports: { postgres: database.exportRef, elastic: observability.exportRef },
      createTenant: async (name, exports) => {
        const tenant = await kcp.createWorkspace({ name: `${prefix}${name}`, timeoutMs });
        await Promise.all(exports.map((exportRef) => bindExport(kcp, tenant, exportRef, timeoutMs)));
        return tenant;
      },
      bind: (tenant, exportRef) => bindExport(kcp, tenant, exportRef, timeoutMs),
      stop: () => stopAll(running),
    };
  } catch (error) {
    await stopAll(running).catch(() => {});
    throw error;
  }
}
