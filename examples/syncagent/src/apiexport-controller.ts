/**
 * The APIExport controller: puts the schemas of every published PublishedResource into the APIExport (as
 * v1alpha2 `spec.resources`) and adds the permission claims their related resources need. Entries it
 * does not own (foreign schemas, schemas of deleted PublishedResources) and claims someone else added are
 * kept; both lists are sorted, so its own update never triggers another. It also keeps the
 * `sync_agent_published_resource` gauge.
 */
import {
  type Client,
  type Cluster,
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  type KubeObject,
  enqueueFromMap,
} from '@kubeloom/core';
import { APIExportResource } from '@kubeloom/kcp-provider';
import { Gauge, type Registry } from 'prom-client';
import { exportedGroupResources, mergeIntoAPIExport } from './apiexport-merge.ts';
import { parseApiResourceSchemaName } from '@kubeloom/kcp-provider/schemas';
import { requiredPermissionClaims } from './permission-claims.ts';
import { checkPublishedResource } from './published-resource-check.ts';
import { type PublishedResource, PublishedResourceResource } from './published-resource.ts';

/** How often the export is compared again even without events (it lives in kcp, where nothing watches it). */
export const apiExportResyncMs = 30_000;

/** What the APIExport controller needs. */
export interface APIExportControllerOptions {
  readonly service: Cluster;
  /** A client for the APIExport's workspace in kcp. */
  readonly kcp: Client;
  readonly apiExportName: string;
  readonly agentName: string;
  readonly selects: (pr: KubeObject) => boolean;
  /** Where the gauge is registered (the manager's registry). */
  readonly registry?: Registry;
  readonly controllerOptions?: ControllerOptions;
}

/** Builds the `syncagent-apiexport` controller (one key: the export). */
export function apiExportController(options: APIExportControllerOptions): Controller {
  const gauge = new Gauge({
    name: 'sync_agent_published_resource',
    help: 'Number of PublishedResources this agent handles, by state (published, invalid, pending).',
    labelNames: ['state'],
    registers: options.registry ? [options.registry] : [],
  });
  const key = { namespace: '', name: options.apiExportName };
  return new ControllerBuilder('syncagent-apiexport')
    .watches(
      PublishedResourceResource,
      enqueueFromMap(() => [key]),
      { clusters: 'local' },
    )
    .withOptions({ maxConcurrentReconciles: 1, ...options.controllerOptions })
    .build(async (_req, { log }) => {
      const all = options.service.cache.reader(PublishedResourceResource).list().filter(options.selects);
      const checked = all.map((raw) => ({ raw, ...checkPublishedResource(raw) }));
      const valid = checked.filter((c) => c.problems.length === 0);
      const published = valid.filter((c) => c.raw.status?.resourceSchemaName);
      gauge.set({ state: 'published' }, published.length);
      gauge.set({ state: 'invalid' }, checked.length - valid.length);
      gauge.set({ state: 'pending' }, valid.length - published.length);

      const schemaNames = published.map((c) => c.raw.status?.resourceSchemaName ?? '');
      const existing = await options.kcp.get(APIExportResource, options.apiExportName);
      const provided = [
        ...exportedGroupResources(existing),
        ...schemaNames.flatMap((n) => parseApiResourceSchemaName(n) ?? []),
      ];
      const claims = requiredPermissionClaims(
        valid.map((c): PublishedResource => c.resource),
        provided,
      );
      const merge = mergeIntoAPIExport(existing, schemaNames, claims, options.agentName);
      for (const conflict of merge.claimConflicts) log.warn(conflict);
      if (merge.changed) {
        await options.kcp.update(APIExportResource, merge.export);
        log.info(
          {
            addedSchemas: merge.addedSchemas,
            removedSchemas: merge.removedSchemas,
            addedClaims: merge.addedClaims,
          },
          'updated the APIExport',
        );
      }
      return { requeueAfter: apiExportResyncMs };
    });
}
