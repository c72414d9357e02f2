/**
 * The webshop operator: one manager over a mixed fleet — every tenant workspace that binds the Webshop
 * export (through the export's virtual workspace) and the webshop team's compute cluster.
 */
import {
  type Client,
  DeploymentResource,
  type Logger,
  Manager,
  MultiProvider,
  SecretResource,
  ServiceResource,
  StaticProvider,
  ControllerBuilder,
  type KubeObject,
  enqueueFromMap,
  kind,
  type ResourceDescriptor,
} from '@kubeloom/core';
import { APIExportProvider } from '@kubeloom/kcp-provider';
import { ElasticsearchResource } from '../api/elasticsearch.ts';
import { ClusterResource, DatabaseResource } from '../api/generated/postgresql.cnpg.io_v1.ts';
import { WEBSHOP_GROUP, WebshopResource } from '../api/webshop.ts';
import {
  SOURCE_CLUSTER_ANNOTATION,
  SOURCE_OBJECT_ANNOTATION,
  WEBSHOP_LABEL,
  webshopOfSecret,
} from './names.ts';
import { webshopReconciler } from './reconcile-webshop.ts';
import type { ExportHint } from './webshop-conditions.ts';
import { wakeOnly } from './wake-only-source.ts';

/** Options for {@link createWebshopOperator}. */
export interface WebshopOperatorOptions {
  /** A client for the webshop team's workspace, which holds the Webshop APIExport and its endpoint slice. */
  kcp: Client;
  /** A client for the compute cluster the shops run on. */
  compute: Client;
  logger?: Logger;
  /** The Webshop APIExport's endpoint slice. Default `webshop.kubeloom.dev` (kcp names it like the export). */
  endpointSlice?: string;
  /** The Postgres and Elastic exports, named in the conditions of a tenant that has not bound them. */
  exports?: { postgres?: ExportHint; elastic?: ExportHint };
  /** How often a tenant that lacks a needed binding is checked again. Default 30 s. */
  notBoundRetryMs?: number;
  /** How often a Webshop that is not Ready is looked at again besides its watches. Default 15 s. */
  pollMs?: number;
  /**
   * How often a Ready Webshop is applied again, so that what nothing watches (its credentials Secret on the
   * compute cluster) is put back if someone changes it. Default 5 minutes.
   */
  resyncMs?: number;
  /** Where `/healthz` and `/readyz` are served. Default: not served. */
  healthProbeBindAddress?: string;
}

/** A webshop operator, not started. */
export interface WebshopOperator {
  readonly manager: Manager;
  readonly provider: MultiProvider;
  /** Runs the operator until `signal` aborts, then stops it gracefully. */
  start(signal?: AbortSignal): Promise<void>;
}

/** Name of the tenant provider in the MultiProvider: tenant clusters are `kcp#<logical cluster>`. */
const TENANTS = 'kcp';
/** Name of the compute provider; its one cluster is `compute#cluster`. */
const COMPUTE = 'compute';

/**
 * Creates the webshop operator: a Manager over a MultiProvider of the Webshop export's APIExportProvider
 * (tenants) and a StaticProvider holding the compute cluster, running the `webshop` controller.
 */
export async function createWebshopOperator(options: WebshopOperatorOptions): Promise<WebshopOperator> {
  const logger = options.logger ? { logger: options.logger } : {};
  const provider = new MultiProvider(logger);
  await provider.addProvider(
    TENANTS,
    new APIExportProvider({
      client: options.kcp,
      endpointSlice: options.endpointSlice ?? WEBSHOP_GROUP,
      eventComponent: 'webshop-operator',
      ...logger,
    }),
  );
  const compute = new StaticProvider(logger);
  compute.add('cluster', options.compute);
  await provider.addProvider(COMPUTE, compute);
  const computeName = `${COMPUTE}${provider.separator}cluster`;
  const isTenant = (name: string): boolean => name.startsWith(`${TENANTS}${provider.separator}`);

  const manager = new Manager({
    local: options.kcp,
    provider,
    eventComponent: 'webshop-operator',
    ...logger,
    ...(options.healthProbeBindAddress ? { healthProbeBindAddress: options.healthProbeBindAddress } : {}),
  });
  // Tenant objects made for a Webshop carry its name in a label; credentials Secrets are named after it.
  const toWebshopByLabel = enqueueFromMap((object: KubeObject) => {
    const name = object.metadata?.labels?.[WEBSHOP_LABEL];
    return name ? [{ namespace: object.metadata?.namespace ?? '', name }] : [];
  });
  const tenantWatch = <T extends KubeObject>(resource: ResourceDescriptor<T>) =>
    wakeOnly(kind(resource, toWebshopByLabel));
  const isCompute = (name: string): boolean => name === computeName;
  const toSourceWebshop = enqueueFromMap(
    (object: KubeObject) => {
      const cluster = object.metadata?.annotations?.[SOURCE_CLUSTER_ANNOTATION];
      const [namespace, name] = object.metadata?.annotations?.[SOURCE_OBJECT_ANNOTATION]?.split('/') ?? [];
      return cluster && namespace && name ? [{ cluster, namespace, name }] : [];
    },
    { crossCluster: true },
  );
  const controller = new ControllerBuilder('webshop')
    .for(WebshopResource, { clusters: isTenant })
    .watchesSource(tenantWatch(ClusterResource), { clusters: isTenant })
    .watchesSource(tenantWatch(DatabaseResource), { clusters: isTenant })
    .watchesSource(tenantWatch(ElasticsearchResource), { clusters: isTenant })
    .watchesSource(
      wakeOnly(
        kind(
          SecretResource,
          enqueueFromMap((secret) => {
            const name = webshopOfSecret(secret.metadata?.name ?? '');
            return name ? [{ namespace: secret.metadata?.namespace ?? '', name }] : [];
          }),
        ),
      ),
      { clusters: isTenant },
    )
    // A Deployment or Service on the compute cluster wakes its Webshop in the tenant: a request for another
    // cluster. So a rollout's progress is reported at once, and a deleted one is put back.
    .watches(DeploymentResource, toSourceWebshop, { clusters: isCompute })
    .watches(ServiceResource, toSourceWebshop, { clusters: isCompute })
    .withOptions({ logger: manager.logger, metrics: manager.controllerMetrics, maxConcurrentReconciles: 2 })
    .build(
      webshopReconciler({
        compute: () => provider.get(computeName),
        separator: provider.separator,
        exports: options.exports,
        notBoundRetryMs: options.notBoundRetryMs ?? 30_000,
        pollMs: options.pollMs ?? 15_000,
        resyncMs: options.resyncMs ?? 300_000,
        teardownPollMs: 2_000,
      }),
    );
  manager.add(controller);
  return { manager, provider, start: (signal) => manager.start(signal) };
}
