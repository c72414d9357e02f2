/**
 * The Webshop reconciler: tenant-side database and search through the tenant's own bindings (reached
 * through the Webshop export's virtual workspace and its permission claims), then the workload on the
 * compute cluster, then the status. Level-triggered: every step is an idempotent server-side apply of a
 * deterministically named object, so a restarted operator adopts what exists and makes nothing twice.
 */
import {
  applyObject,
  type Cluster,
  ClusterNotFoundError,
  type Deployment,
  DeploymentResource,
  NamespaceResource,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  type Secret,
  SecretResource,
  ServiceResource,
  addFinalizer,
  hasFinalizer,
} from '@kubeloom/core';
import { ElasticsearchResource } from '../api/elasticsearch.ts';
import { ClusterResource, DatabaseResource } from '../api/generated/postgresql.cnpg.io_v1.ts';
import { type Webshop, WebshopResource } from '../api/webshop.ts';
import { desiredComputeObjects } from './compute-objects.ts';
import { type CredentialsResult, databaseCredentials, searchCredentials } from './credentials.ts';
import { CLEANUP_FINALIZER, FIELD_MANAGER, computeNames, tenantObjectNames, tenantOf } from './names.ts';
import type { WebshopReconcilerOptions } from './reconciler-options.ts';
import { writeStatus } from './status-writer.ts';
import { teardownWebshop } from './teardown.ts';
import { applyInTenant, deleteTenantObject, getIfExists } from './tenant-calls.ts';
import { desiredTenantObjects } from './tenant-objects.ts';
import {
  type DatabaseObservation,
  type SearchObservation,
  availableReplicas,
  databaseCondition,
  deployedCondition,
  readyCondition,
  searchCondition,
} from './webshop-conditions.ts';

/** The Webshop reconciler. */
export function webshopReconciler(options: WebshopReconcilerOptions): Reconciler {
  return async (request, ctx) => {
    const webshop = ctx.cluster.cache.reader(WebshopResource).get(request.name, request.namespace);
    if (!webshop) return {};
    if (webshop.metadata?.deletionTimestamp) {
      if (!hasFinalizer(webshop, CLEANUP_FINALIZER)) return {};
      return teardownWebshop(webshop, request, ctx, options);
    }
    const current = hasFinalizer(webshop, CLEANUP_FINALIZER)
      ? webshop
      : await addFinalizer(ctx.cluster.client, WebshopResource, webshop, CLEANUP_FINALIZER, {
          signal: ctx.signal,
          fieldManager: FIELD_MANAGER,
        });
    return reconcileLive(current, request, ctx, options);
  };
}

async function reconcileLive(
  webshop: Webshop,
  request: Request,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
): Promise<Result> {
  const desired = desiredTenantObjects(webshop);
  const database = await observeDatabase(webshop, desired, ctx, options);
  const search = await observeSearch(webshop, desired, ctx, options);
  const databaseReady = databaseCondition(database.observation);
  const searchReady = searchCondition(search.observation);
  const waitingFor = [databaseReady, searchReady].filter((c) => c.status !== 'True').map((c) => c.type);

  let deployment: Deployment | undefined;
  const names = computeNames(tenantOf(request.cluster, options.separator), request.namespace, request.name);
  if (waitingFor.length === 0) {
    let compute: Cluster;
    try {
      compute = await options.compute();
    } catch (error) {
      if (!(error instanceof ClusterNotFoundError)) throw error;
      ctx.log.info(`the compute cluster is not engaged (${error.message}); trying again later`);
      return { requeueAfter: options.pollMs };
    }
    deployment = await applyComputeObjects(webshop, request, ctx, options, compute, {
      ...database.credentials,
      ...search.credentials,
    });
  }
  const deployed = deployedCondition(deployment, waitingFor);
  const ready = readyCondition([databaseReady, searchReady, deployed]);
  await writeStatus(webshop, ctx, [databaseReady, searchReady, deployed, ready], {
    availableReplicas: availableReplicas(deployment),
    computeNamespace: names.namespace,
  });
  if (database.observation.state === 'notBound' || search.observation.state === 'notBound') {
    return { requeueAfter: options.notBoundRetryMs };
  }
  return { requeueAfter: ready.status === 'True' ? options.resyncMs : options.pollMs };
}

/** Applies the Postgres Cluster and Database in the tenant and reads their state and credentials. */
async function observeDatabase(
  webshop: Webshop,
  desired: ReturnType<typeof desiredTenantObjects>,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
): Promise<{ observation: DatabaseObservation; credentials?: Record<string, string> }> {
  const { client } = ctx.cluster;
  const names = tenantObjectNames(webshop.metadata?.name ?? '');
  const namespace = webshop.metadata?.namespace ?? '';
  const cluster = await applyInTenant(client, ClusterResource, desired.postgresCluster, ctx.signal);
  const database = cluster && (await applyInTenant(client, DatabaseResource, desired.database, ctx.signal));
  if (!cluster || !database) {
    return {
      observation: {
        state: 'notBound',
        export: options.exports?.postgres,
        retrySeconds: Math.round(options.notBoundRetryMs / 1000),
      },
    };
  }
  const secret = await getIfExists<Secret>(
    client,
    SecretResource,
    names.databaseSecret,
    namespace,
    ctx.signal,
  );
  const credentials: CredentialsResult | undefined = secret && databaseCredentials(secret);
  return {
    observation: {
      state: 'observed',
      clusterName: names.postgresCluster,
      cluster,
      databaseName: names.database,
      database,
      secretName: names.databaseSecret,
      secret,
      credentials,
    },
    ...(credentials && 'data' in credentials ? { credentials: credentials.data } : {}),
  };
}

/** Applies (or, with search off, removes) the tenant's Elasticsearch and reads its state and credentials. */
async function observeSearch(
  webshop: Webshop,
  desired: ReturnType<typeof desiredTenantObjects>,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
): Promise<{ observation: SearchObservation; credentials?: Record<string, string> }> {
  const { client } = ctx.cluster;
  const names = tenantObjectNames(webshop.metadata?.name ?? '');
  const namespace = webshop.metadata?.namespace ?? '';
  if (!desired.search) {
    // Search switched off (or never on): an instance made earlier is not needed any more.
    await deleteTenantObject(client, ElasticsearchResource, names.search, namespace, webshop, ctx.signal);
    return { observation: { state: 'disabled' } };
  }
  const elasticsearch = await applyInTenant(client, ElasticsearchResource, desired.search, ctx.signal);
  if (!elasticsearch) {
    return {
      observation: {
        state: 'notBound',
        export: options.exports?.elastic,
        retrySeconds: Math.round(options.notBoundRetryMs / 1000),
      },
    };
  }
  const url = elasticsearch.status?.url;
  const secret = url
    ? await getIfExists<Secret>(client, SecretResource, names.searchSecret, namespace, ctx.signal)
    : undefined;
  const credentials = secret && url ? searchCredentials(secret, url) : undefined;
  return {
    observation: {
      state: 'observed',
      name: names.search,
      elasticsearch,
      secretName: names.searchSecret,
      credentials,
    },
    ...(credentials && 'data' in credentials ? { credentials: credentials.data } : {}),
  };
}

/** Applies the namespace, credentials Secret, Deployment and Service; returns the Deployment as stored. */
async function applyComputeObjects(
  webshop: Webshop,
  request: Request,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
  compute: Cluster,
  credentials: Record<string, string>,
): Promise<Deployment> {
  const objects = desiredComputeObjects(
    webshop,
    { cluster: request.cluster, logicalCluster: tenantOf(request.cluster, options.separator) },
    credentials,
  );
  const apply = { fieldManager: FIELD_MANAGER, signal: ctx.signal };
  await applyObject(compute.client, NamespaceResource, objects.namespace, apply);
  await applyObject(compute.client, SecretResource, objects.credentials, apply);
  const deployment = await applyObject(compute.client, DeploymentResource, objects.deployment, apply);
  await applyObject(compute.client, ServiceResource, objects.service, apply);
  return deployment;
}
