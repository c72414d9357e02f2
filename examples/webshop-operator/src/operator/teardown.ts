/**
 * Deleting a Webshop: its finalizer holds it until everything made for it is gone, in the order that keeps
 * nothing running against a removed dependency — the workload on the compute cluster first, then the
 * tenant's Elasticsearch, Database and Postgres Cluster, each waited for until it is gone. Only this
 * tenant's objects are ever touched: the tenant side through this tenant's client, the compute side in
 * this tenant's own namespace.
 */
import {
  type Client,
  type Cluster,
  ClusterNotFoundError,
  DeploymentResource,
  isNotFound,
  NamespaceResource,
  type ReconcileContext,
  type Request,
  type ResourceDescriptor,
  type Result,
  SecretResource,
  ServiceResource,
  removeFinalizer,
} from '@kubeloom/core';
import { ElasticsearchResource } from '../api/elasticsearch.ts';
import { ClusterResource, DatabaseResource } from '../api/generated/postgresql.cnpg.io_v1.ts';
import { type Webshop, WebshopResource } from '../api/webshop.ts';
import {
  CLEANUP_FINALIZER,
  FIELD_MANAGER,
  TENANT_LABEL,
  computeNames,
  tenantObjectNames,
  tenantOf,
} from './names.ts';
import type { WebshopReconcilerOptions } from './reconciler-options.ts';
import { writeStatus } from './status-writer.ts';
import { deleteTenantObject } from './tenant-calls.ts';
import { deletingCondition } from './webshop-conditions.ts';

/** Runs the next teardown step; removes the finalizer once nothing is left. */
export async function teardownWebshop(
  webshop: Webshop,
  request: Request,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
): Promise<Result> {
  let waitingFor: string | undefined;
  try {
    waitingFor =
      (await removeComputeObjects(request, ctx, options, await options.compute())) ??
      (await removeTenantObjects(webshop, ctx));
  } catch (error) {
    if (!(error instanceof ClusterNotFoundError)) throw error;
    waitingFor = `waiting for the compute cluster to be engaged (${error.message})`;
  }
  if (waitingFor) {
    await writeStatus(webshop, ctx, [deletingCondition(waitingFor)]);
    return { requeueAfter: options.teardownPollMs };
  }
  await removeFinalizer(ctx.cluster.client, WebshopResource, webshop, CLEANUP_FINALIZER, {
    signal: ctx.signal,
    fieldManager: FIELD_MANAGER,
  });
  ctx.log.info('the shop, its search instance and its database are removed; the Webshop can go');
  return {};
}

/** Deletes the shop's Deployment, Service and Secret on the compute cluster; what is still there, if anything. */
async function removeComputeObjects(
  request: Request,
  ctx: ReconcileContext,
  options: WebshopReconcilerOptions,
  compute: Cluster,
): Promise<string | undefined> {
  const tenant = tenantOf(request.cluster, options.separator);
  const names = computeNames(tenant, request.namespace, request.name);
  const objects: Array<[ResourceDescriptor, string]> = [
    [DeploymentResource, names.workload],
    [ServiceResource, names.workload],
    [SecretResource, names.credentialsSecret],
  ];
  const left: string[] = [];
  for (const [resource, name] of objects) {
    if (await deleteIfExists(compute.client, resource, name, names.namespace, ctx.signal)) {
      left.push(`${resource.kind} ${names.namespace}/${name}`);
    }
  }
  if (left.length > 0) return `waiting for ${left.join(', ')} to be deleted on the compute cluster`;
  // The namespace goes with the tenant namespace's last shop.
  const shops = await compute.client.list(DeploymentResource, {
    namespace: names.namespace,
    labelSelector: `${TENANT_LABEL}=${tenant}`,
    signal: ctx.signal,
  });
  if (shops.items.length === 0) {
    await deleteIfExists(compute.client, NamespaceResource, names.namespace, '', ctx.signal);
  }
  return undefined;
}

/** Deletes the tenant's Elasticsearch, then Database, then Cluster, one at a time; what is still there, if anything. */
async function removeTenantObjects(webshop: Webshop, ctx: ReconcileContext): Promise<string | undefined> {
  const names = tenantObjectNames(webshop.metadata?.name ?? '');
  const namespace = webshop.metadata?.namespace ?? '';
  const inOrder: Array<[ResourceDescriptor, string]> = [
    [ElasticsearchResource, names.search],
    [DatabaseResource, names.database],
    [ClusterResource, names.postgresCluster],
  ];
  for (const [resource, name] of inOrder) {
    if (await deleteTenantObject(ctx.cluster.client, resource, name, namespace, webshop, ctx.signal)) {
      return `waiting for ${resource.kind} ${name} to be deleted`;
    }
  }
  return undefined;
}

/** Deletes an object if it exists; true when it existed (a deletion may still be under way). */
async function deleteIfExists(
  client: Client,
  resource: ResourceDescriptor,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await client.delete(resource, name, { ...(namespace ? { namespace } : {}), signal });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
