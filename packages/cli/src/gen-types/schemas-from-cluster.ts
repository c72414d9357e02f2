import type { RestClient } from '@kubeloom/core';
import { GenTypesError, type ResourceSchema, type SchemaProblem, isMapping } from './resource-schema.ts';

/** The OpenAPI v3 index a server publishes at `/openapi/v3`: one document per group/version. */
interface OpenApiIndex {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

/** Discovery's view of a group/version (`GET /apis/<group>/<version>`). */
interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** The source named in generated files' headers for schemas read from a server. */
export const clusterSource = "the cluster's OpenAPI v3";

/** The group name that stands for the core group (`v1` ConfigMaps, Pods, ...), whose real name is `''`. */
export const CORE_GROUP = 'core';

/**
 * The group name that stands for every built-in group the server serves: the core group, the groups
 * without a dot (`apps`, `batch`, ...) and those under `k8s.io` (`rbac.authorization.k8s.io`, ...), the
 * Kubernetes convention that keeps CRDs out.
 */
export const BUILTIN_GROUPS = 'builtin';

/** The OpenAPI v3 index path of a group/version: `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
function documentKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The groups `requested` names, with {@link CORE_GROUP} and {@link BUILTIN_GROUPS} expanded. */
function expandGroups(requested: readonly string[], paths: readonly string[]): string[] {
  const groups = new Set<string>();
  for (const group of requested) {
    if (group === CORE_GROUP) {
      groups.add('');
    } else if (group === BUILTIN_GROUPS) {
      for (const path of paths) {
        if (path.startsWith('api/')) groups.add('');
        const name = /^apis\/([^/]+)\/[^/]+$/.exec(path)?.[1];
        if (name !== undefined && (!name.includes('.') || name.endsWith('.k8s.io'))) groups.add(name);
      }
    } else {
      groups.add(group);
    }
  }
  return [...groups].toSorted();
}

/**
 * The schemas of every kind a live cluster (or kcp workspace) serves in `groups`, in every version it
 * serves: names, scope and the status subresource from discovery, object schemas from OpenAPI v3
 * (`/openapi/v3/apis/<group>/<version>`), which keeps the CRD's descriptions, enums and `x-kubernetes-*`
 * extensions.
 *
 * @throws GenTypesError if a group is not served (e.g. its CRD is not installed, or not yet served).
 */
export async function schemasFromCluster(
  rest: RestClient,
  groups: readonly string[],
  signal?: AbortSignal,
): Promise<ResourceSchema[]> {
  const call = <T>(path: string): Promise<T> => rest.request<T>({ path, ...(signal ? { signal } : {}) });
  const index = await call<OpenApiIndex>('/openapi/v3');
  const paths = Object.keys(index.paths ?? {}).toSorted();
  const problems: SchemaProblem[] = [];
  const schemas: ResourceSchema[] = [];
  for (const group of expandGroups(groups, paths)) {
    const prefix = group ? `apis/${group}/` : 'api/';
    const groupVersions = paths.filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'));
    if (groupVersions.length === 0) {
      problems.push({
        origin: `${rest.server}/openapi/v3`,
        path: '',
        message: `the cluster serves no API group ${JSON.stringify(group)}; check the name (e.g. postgresql.cnpg.io), and that its CRD (in kcp: its APIBinding) is installed in this cluster or workspace`,
      });
      continue;
    }
    for (const groupVersion of groupVersions) {
      const version = groupVersion.slice(prefix.length);
      const url = index.paths?.[groupVersion]?.serverRelativeURL ?? `/openapi/v3/${groupVersion}`;
      // The URL is relative to the server's root; keep only its /openapi/v3 part, so a kcp workspace's
      // `/clusters/<path>` prefix in this client's server is not lost (or doubled).
      const documentPath = url.slice(Math.max(0, url.indexOf('/openapi/v3/')));
      const [discovery, document] = await Promise.all([
        call<ApiResourceList>(`/${documentKey(group, version)}`),
        call<{ components?: { schemas?: Record<string, unknown> } }>(documentPath),
      ]);
      const origin = `the cluster's /openapi/v3/${groupVersion}`;
      const components = document.components?.schemas ?? {};
      const resources = discovery.resources ?? [];
      for (const resource of resources) {
        if (resource.name.includes('/')) continue;
        const key = Object.keys(components)
          .toSorted()
          .find((k) => servesKind(components[k], group, version, resource.kind));
        if (key === undefined) {
          problems.push({
            origin,
            path: 'components.schemas',
            message: `no schema has x-kubernetes-group-version-kind ${group}/${version} ${resource.kind}; the server publishes no OpenAPI for it`,
          });
          continue;
        }
        schemas.push({
          group,
          version,
          kind: resource.kind,
          plural: resource.name,
          namespaced: resource.namespaced,
          statusSubresource: resources.some((r) => r.name === `${resource.name}/status`),
          schema: components[key],
          origin,
          schemaPath: `components.schemas[${JSON.stringify(key)}]`,
          source: clusterSource,
          components,
          componentKey: key,
        });
      }
    }
  }
  if (problems.length > 0) throw new GenTypesError(problems);
  return schemas;
}

function servesKind(schema: unknown, group: string, version: string, kind: string): boolean {
  const gvks = isMapping(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
  return (
    Array.isArray(gvks) &&
    gvks.some((g: unknown) => isMapping(g) && g.group === group && g.version === version && g.kind === kind)
  );
}
