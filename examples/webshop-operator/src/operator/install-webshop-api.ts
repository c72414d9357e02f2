/**
 * Publishing the Webshop API: its APIResourceSchema and an APIExport in the webshop team's workspace. The
 * export claims what the operator must reach in a tenant's workspace through that tenant's own bindings:
 * the database team's Postgres Clusters and Databases and the observability team's Elasticsearches (by
 * their exports' identity hashes, so no look-alike API can stand in), the credentials Secrets those teams
 * put there, and Events, to report on the Webshop.
 */
import { type Client, waitFor } from '@kubeloom/core';
import {
  APIExportEndpointSliceResource,
  type APIExportEndpointSlice,
  clusterUrl,
  createApiExport,
  isConditionTrue,
  type PermissionClaim,
} from '@kubeloom/kcp-provider';
import { WEBSHOP_GROUP } from '../api/webshop.ts';
import { webshopApiResourceSchema } from '../api/webshop-schema.ts';
import type { ExportRef } from '../platform/platform.ts';

/** Verbs on the tenant objects the operator creates, watches and deletes. */
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/** Verbs on what the operator only reads. */
const READ = ['get', 'list', 'watch'];

/** The permission claims of the Webshop export. */
export function webshopPermissionClaims(deps: {
  postgres: ExportRef;
  elastic: ExportRef;
}): PermissionClaim[] {
  return [
    {
      group: 'postgresql.cnpg.io',
      resource: 'clusters',
      identityHash: deps.postgres.identityHash,
      verbs: MANAGE,
    },
    {
      group: 'postgresql.cnpg.io',
      resource: 'databases',
      identityHash: deps.postgres.identityHash,
      verbs: MANAGE,
    },
    {
      group: 'search.observability.kubeloom.dev',
      resource: 'elasticsearches',
      identityHash: deps.elastic.identityHash,
      verbs: MANAGE,
    },
    { group: '', resource: 'secrets', identityHash: '', verbs: READ },
    {
      group: '',
      resource: 'events',
      identityHash: '',
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
    },
  ];
}

/** The workspace path of a client pointed at `https://…/clusters/<path>`. */
function workspaceOf(client: Client): string {
  const match = /\/clusters\/([^/]+)\/?$/.exec(client.rest.server);
  if (!match?.[1]) {
    throw new TypeError(
      `installWebshopApi needs a client for the webshop team's workspace (server https://…/clusters/<workspace>), got server ${client.rest.server}`,
    );
  }
  return match[1];
}

/**
 * Installs the Webshop APIResourceSchema and the APIExport `webshop.kubeloom.dev` (with permission claims
 * on the Postgres and Elastic resources by identity hash, on Secrets and on Events) in the webshop team's
 * workspace, and waits for the export's identity and for kcp to accept the export's endpoint slice (which
 * the operator follows; before that, it would report the slice as invalid). Existing objects are kept as
 * they are, so running it again is harmless. Returns the export, for tenants to bind.
 */
export async function installWebshopApi(
  webshopTeam: Client,
  deps: { postgres: ExportRef; elastic: ExportRef },
): Promise<ExportRef> {
  const workspace = workspaceOf(webshopTeam);
  const apiExport = await createApiExport(webshopTeam, {
    workspace,
    name: WEBSHOP_GROUP,
    schemas: [webshopApiResourceSchema()],
    permissionClaims: webshopPermissionClaims(deps),
  });
  const inWorkspace = webshopTeam.withServer(clusterUrl(webshopTeam.rest.server, workspace));
  let slice: APIExportEndpointSlice | undefined;
  await waitFor(
    async () => {
      slice = await inWorkspace.get(APIExportEndpointSliceResource, WEBSHOP_GROUP);
      return slice && isConditionTrue(slice, 'APIExportValid');
    },
    {
      what: `kcp to accept the endpoint slice of APIExport ${workspace}:${WEBSHOP_GROUP}`,
      timeoutMs: 60_000,
      describe: () => JSON.stringify(slice?.status?.conditions ?? []),
    },
  );
  return { path: workspace, name: WEBSHOP_GROUP, identityHash: apiExport.status?.identityHash ?? '' };
}
