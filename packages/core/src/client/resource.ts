import type { KubeObject } from './object.ts';

/**
 * Identifies one API resource (group, version, kind, plural, scope) and, at the type level, the shape of
 * its objects. Create descriptors for your CRDs with {@link defineResource}; common built-ins are in
 * `builtins.ts`.
 */
export interface ResourceDescriptor<T extends KubeObject = KubeObject> {
  /** API group; `''` for the core group. */
  readonly group: string;
  /** API version within the group, e.g. `v1`, `v1beta1`. */
  readonly version: string;
  /** Kind of the objects, e.g. `ConfigMap`: checked against objects written and filled into those read. */
  readonly kind: string;
  /** Lower-case plural used in URLs, e.g. `configmaps`. */
  readonly plural: string;
  /** Whether objects live in namespaces; decides the URL and whether a namespace is required. */
  readonly namespaced: boolean;
  /** Type-level only: the object type. Never set at run time. */
  readonly __object?: T;
}

/** The object type a descriptor stands for. */
export type ObjectOf<R> = R extends ResourceDescriptor<infer T> ? T : never;

/** Declares a resource, typed by its object type: `defineResource<Database>({group: 'postgresql.cnpg.io', ...})`. */
export function defineResource<T extends KubeObject>(descriptor: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}): ResourceDescriptor<T> {
  if (!descriptor.version || !descriptor.kind || !descriptor.plural) {
    throw new TypeError(
      `defineResource: version, kind and plural are required (got ${JSON.stringify(descriptor)})`,
    );
  }
  return Object.freeze({ ...descriptor });
}

/** `apiVersion` of a resource's objects: `group/version`, or just `version` for the core group. */
export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `group/version/plural`, a unique key for the resource. */
export function resourceKey(resource: ResourceDescriptor): string {
  return `${resource.group}/${resource.version}/${resource.plural}`;
}

/**
 * URL path of a resource collection or object, e.g. `/apis/apps/v1/namespaces/web/deployments/shop/status`.
 * Without a namespace a namespaced resource is addressed across all namespaces.
 */
export function resourcePath(
  resource: ResourceDescriptor,
  at: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined } = {},
): string {
  let path = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  if (resource.namespaced && at.namespace) path += `/namespaces/${encodeURIComponent(at.namespace)}`;
  path += `/${resource.plural}`;
  if (at.name !== undefined) {
    if (!at.name) throw new TypeError(`${resource.kind}: an empty name cannot be addressed`);
    path += `/${encodeURIComponent(at.name)}`;
  }
  if (at.subresource) path += `/${at.subresource}`;
  return path;
}
