/**
 * The APIResourceSchema controller: for every PublishedResource, project the service cluster's CRD and
 * make sure kcp has the matching APIResourceSchema in the export's workspace. Schemas are immutable and
 * named by a hash of their content, so a changed CRD yields a new schema (created next to the old one),
 * and undoing the change finds the old one again. The outcome goes into the PublishedResource's status:
 * `resourceSchemaName` and a `Ready` condition; a configuration problem also becomes a Warning event that
 * names the field and the problem.
 */
import {
  type Client,
  type Cluster,
  ControllerBuilder,
  type ControllerOptions,
  type Controller,
  CustomResourceDefinitionResource,
  type KubeObject,
  type Logger,
  type Reconciler,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import { APIResourceSchemaResource } from '@kubeloom/kcp-provider';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { toAgentAPIResourceSchema } from './api-resource-schema.ts';
import { checkPublishedResource } from './published-resource-check.ts';
import { type PublishedResource, PublishedResourceResource } from './published-resource.ts';
import { type PublishedOutcome, publishedStatusPatch } from './published-resource-status.ts';
import { findServiceCrd, syncTargetOf } from './sync-target.ts';
import { enqueuePublishersOfCrd } from './publishers-of-crd.ts';

/** What the schema controller needs. */
export interface SchemaControllerOptions {
  /** The service cluster (the manager's local cluster): PublishedResources, CRDs, events. */
  readonly service: Cluster;
  /** A client for the APIExport's workspace in kcp. */
  readonly kcp: Client;
  readonly agentName: string;
  /** Only PublishedResources matching this (from `--published-resource-selector`). */
  readonly selects: (pr: KubeObject) => boolean;
  readonly controllerOptions?: ControllerOptions;
}

/** Builds the `syncagent-apiresourceschema` controller. */
export function schemaController(options: SchemaControllerOptions): Controller {
  const prs = (): PublishedResource[] =>
    options.service.cache.reader(PublishedResourceResource).list().filter(options.selects);
  return new ControllerBuilder('syncagent-apiresourceschema')
    .for(PublishedResourceResource, { clusters: 'local' })
    .watches(CustomResourceDefinitionResource, enqueuePublishersOfCrd(prs), { clusters: 'local' })
    .withOptions({ maxConcurrentReconciles: 4, ...options.controllerOptions })
    .build(schemaReconciler(options));
}

/** The reconcile of one PublishedResource. */
export function schemaReconciler(options: SchemaControllerOptions): Reconciler {
  return async (req, { log }) => {
    const raw = options.service.cache.reader(PublishedResourceResource).get(req.name);
    if (!raw || raw.metadata.deletionTimestamp || !options.selects(raw)) return;
    const outcome = await publish(raw, options, log);
    const patch = publishedStatusPatch(raw, outcome);
    if (outcome.reason !== 'Published' && patch) {
      options.service.events.record(raw, {
        type: 'Warning',
        reason: outcome.reason,
        message: outcome.message,
      });
      log.warn({ reason: outcome.reason }, outcome.message);
    }
    if (patch) {
      await options.service.client.patch(PublishedResourceResource, req.name, patch, {
        subresource: 'status',
      });
    }
  };
}

async function publish(
  raw: PublishedResource,
  options: SchemaControllerOptions,
  log: Logger,
): Promise<PublishedOutcome> {
  const { resource: pr, problems } = checkPublishedResource(raw);
  if (problems.length > 0) {
    return {
      reason: 'InvalidSpec',
      message: `PublishedResource ${raw.metadata.name} is invalid and is not synced (fix the fields named here): ${problems.join('; ')}`,
    };
  }
  const { apiGroup, kind } = pr.spec.resource;
  const crd = await findServiceCrd(options.service.client, apiGroup, kind);
  if (!crd) {
    return {
      reason: 'CRDNotFound',
      message: `no CustomResourceDefinition for kind ${kind} in group ${apiGroup || '""'} on the service cluster; install it, or fix spec.resource`,
    };
  }
  let projected: CustomResourceDefinition;
  let schemaName: string;
  try {
    ({ projected, schemaName } = syncTargetOf(pr, crd));
  } catch (error) {
    return {
      reason: 'ProjectionFailed',
      message: `cannot publish CustomResourceDefinition ${crd.metadata.name}: ${(error as Error).message}`,
    };
  }
  await ensureSchema(options.kcp, toAgentAPIResourceSchema(projected, options.agentName), log);
  return { reason: 'Published', message: `published as APIResourceSchema ${schemaName}`, schemaName };
}

/** Creates the schema unless it exists; existing schemas are never changed (they are immutable in kcp). */
async function ensureSchema(
  kcp: Client,
  schema: ReturnType<typeof toAgentAPIResourceSchema>,
  log: Logger,
): Promise<void> {
  const name = schema.metadata.name ?? '';
  try {
    await kcp.get(APIResourceSchemaResource, name);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await kcp.create(APIResourceSchemaResource, schema);
    log.info({ schema: name }, 'created APIResourceSchema');
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}
