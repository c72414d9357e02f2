import {
  type Client,
  type CustomResourceDefinition,
  isAlreadyExists,
  isForbidden,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import {
  type APIBinding,
  APIBindingResource,
  type APIExport,
  APIExportEndpointSliceResource,
  APIExportResource,
  type APIResourceSchema,
  APIResourceSchemaResource,
  type AcceptablePermissionClaim,
  type PermissionClaim,
} from '../apis/apis.ts';
import { getCondition, isConditionTrue } from '../apis/conditions.ts';
import { clusterUrl } from '../apis/urls.ts';
import { exportedResources } from '../schemas/api-export-resources.ts';
import { toAPIResourceSchema } from '../schemas/api-resource-schema.ts';
import type { CustomResourceDefinition as SchemaSourceCrd } from '../schemas/crd.ts';

/**
 * Turns a CustomResourceDefinition into an APIResourceSchema named `<prefix>.<plural>.<group>`
 * (kcp's naming rule; APIResourceSchemas are immutable, so a new prefix is how you ship a change).
 */
export function apiResourceSchemaFromCrd(crd: CustomResourceDefinition, prefix: string): APIResourceSchema {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(prefix)) {
    throw new TypeError(
      `APIResourceSchema prefix "${prefix}" must be a lower-case DNS label (e.g. v1 or today's date)`,
    );
  }
  const spec = crd.spec;
  if (!spec?.group || !spec.names?.plural || !spec.versions?.length) {
    throw new TypeError(`CRD ${crd.metadata?.name ?? '(unnamed)'} has no group, names.plural or versions`);
  }
  // A version without a schema (a non-structural CRD) accepts any object.
  const versions = spec.versions.map((v) => ({
    ...v,
    schema: { openAPIV3Schema: v.schema?.openAPIV3Schema ?? anyObject },
  }));
  return toAPIResourceSchema({ ...crd, spec: { ...spec, versions } } as SchemaSourceCrd, { prefix });
}

const anyObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Options for {@link createApiExport}. */
export interface CreateApiExportOptions {
  /** Workspace path of the provider. */
  workspace: string;
  /** Export name; by convention the API group (e.g. `widgets.example.io`). */
  name: string;
  /** Schemas to create (skipped if they already exist) and export. */
  schemas: APIResourceSchema[];
  /** Access to consumer objects the provider asks for. */
  permissionClaims?: PermissionClaim[];
  /** Default 60 s. */
  timeoutMs?: number;
}

/**
 * Creates APIResourceSchemas and an APIExport (v1alpha2) exporting them, and waits until the export has its
 * identity hash. The endpoint slice of the same name is created by kcp.
 */
export async function createApiExport(client: Client, options: CreateApiExportOptions): Promise<APIExport> {
  const ws = client.withServer(clusterUrl(client.rest.server, options.workspace));
  for (const schema of options.schemas) {
    await createIgnoringExisting(() => ws.create(APIResourceSchemaResource, schema));
  }
  const resources = exportedResources(options.schemas);
  await createIgnoringExisting(() =>
    ws.create(APIExportResource, {
      metadata: { name: options.name },
      spec: {
        resources,
        ...(options.permissionClaims ? { permissionClaims: options.permissionClaims } : {}),
      },
    }),
  );
  let last: APIExport | undefined;
  return waitFor(
    async () => {
      last = await ws.get(APIExportResource, options.name);
      return last.status?.identityHash ? last : undefined;
    },
    {
      what: `APIExport ${options.workspace}:${options.name} to get its identity hash`,
      timeoutMs: options.timeoutMs ?? 60_000,
      describe: () => JSON.stringify(last?.status ?? {}),
    },
  );
}

/** Options for {@link bindApiExport}. */
export interface BindApiExportOptions {
  /** Workspace path of the consumer that binds. */
  workspace: string;
  /** Workspace path of the export. */
  exportPath: string;
  /** Name of the APIExport to bind. */
  exportName: string;
  /** Binding name. Default the export name. */
  name?: string;
  /**
   * Which of the export's permission claims to accept. Default: all of them. Accepted claims copy the
   * export's verbs and identity hash exactly: kcp grants the literal intersection of binding and export
   * verbs, so `["*"]` against `["get","list"]` would grant nothing.
   */
  acceptClaim?: (claim: PermissionClaim) => boolean;
  /** Default 60 s. */
  timeoutMs?: number;
}

/**
 * Binds an APIExport into a consumer workspace, accepting its permission claims with the export's exact
 * verbs, and waits until the binding is Bound and Ready.
 */
export async function bindApiExport(client: Client, options: BindApiExportOptions): Promise<APIBinding> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exporter = client.withServer(clusterUrl(client.rest.server, options.exportPath));
  const apiExport = await exporter.get(APIExportResource, options.exportName);
  const accept = options.acceptClaim ?? (() => true);
  const permissionClaims: AcceptablePermissionClaim[] = (apiExport.spec?.permissionClaims ?? []).map(
    (claim) => ({
      group: claim.group,
      resource: claim.resource,
      verbs: [...claim.verbs],
      identityHash: claim.identityHash ?? '',
      selector: { matchAll: true },
      state: accept(claim) ? 'Accepted' : 'Rejected',
    }),
  );
  const name = options.name ?? options.exportName;
  const consumer = client.withServer(clusterUrl(client.rest.server, options.workspace));
  // A binding right after workspace creation can briefly be refused while authorization caches catch up.
  await waitFor(
    () =>
      createIgnoringExisting(() =>
        consumer.create(APIBindingResource, {
          metadata: { name },
          spec: {
            reference: { export: { path: options.exportPath, name: options.exportName } },
            permissionClaims,
          },
        }),
      ).then(() => true),
    {
      what: `APIBinding ${options.workspace}:${name} to be accepted`,
      timeoutMs,
      retryOn: (err) => isForbidden(err) || isNotFound(err),
    },
  );
  let last: APIBinding | undefined;
  const bound = await waitFor(
    async () => {
      last = await consumer.get(APIBindingResource, name);
      return last.status?.phase === 'Bound' && isConditionTrue(last, 'Ready') ? last : undefined;
    },
    {
      what: `APIBinding ${options.workspace}:${name} to be Bound and Ready`,
      timeoutMs,
      describe: () => {
        const notReady = (last?.status?.conditions ?? []).filter((c) => c.status !== 'True');
        return `phase ${last?.status?.phase || '(none)'}${notReady.length ? `; ${notReady.map((c) => `${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`.trim()).join('; ')}` : ''}`;
      },
    },
  );
  // Ready can come a moment before the workspace serves the bound groups (a request then gets
  // "404 page not found"): wait until each group's discovery answers.
  const groups = new Set((apiExport.spec?.resources ?? []).map((r) => r.group).filter((g) => g !== ''));
  for (const group of groups) {
    await waitFor(() => consumer.rest.request({ method: 'GET', path: `/apis/${group}` }).then(() => true), {
      what: `workspace ${options.workspace} to serve API group ${group} of APIBinding ${name}`,
      timeoutMs,
      retryOn: isNotFound,
    });
  }
  return bound;
}

/** The virtual-workspace URLs in an APIExportEndpointSlice (one per shard; empty until something binds). */
export async function endpointSliceUrls(
  client: Client,
  workspace: string,
  sliceName: string,
): Promise<string[]> {
  const slice = await client
    .withServer(clusterUrl(client.rest.server, workspace))
    .get(APIExportEndpointSliceResource, sliceName);
  return (slice.status?.endpoints ?? []).map((e) => e.url);
}

/** Waits until an endpoint slice lists at least one URL and returns them. */
export function waitForEndpointSliceUrls(
  client: Client,
  workspace: string,
  sliceName: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  return waitFor(
    async () => {
      const urls = await endpointSliceUrls(client, workspace, sliceName);
      return urls.length ? urls : undefined;
    },
    {
      what: `APIExportEndpointSlice ${workspace}:${sliceName} to list an endpoint (it stays empty until an APIBinding exists)`,
      timeoutMs,
    },
  );
}

/** Reason text of a binding's failing condition, for error messages. */
export function bindingProblem(binding: APIBinding): string | undefined {
  const c = getCondition(binding, 'Ready');
  return c && c.status !== 'True' ? `${c.reason ?? ''}: ${c.message ?? ''}` : undefined;
}

async function createIgnoringExisting<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (isAlreadyExists(err)) return undefined;
    throw err;
  }
}
