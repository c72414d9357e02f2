/**
 * Where a request goes, taken apart from its URL path. kcp's `/clusters/<name>` prefix selects a logical
 * cluster (`*` means every cluster); without it the request addresses cluster `''`.
 */
export type ApiPath =
  | { type: 'resource'; cluster: string; group: string; version: string; segments: string[] }
  | {
      type: 'discovery';
      cluster: string;
      group: string | undefined;
      version: string | undefined;
      legacy: boolean;
    }
  | { type: 'other'; cluster: string; rest: string };

/** A resource URL resolved against the registered resources. */
export interface ResourceRoute {
  plural: string;
  /** Set for namespaced URLs (`/namespaces/<ns>/...`). */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** The cluster that addresses every logical cluster at once (`/clusters/*`). */
export const ALL_CLUSTERS = '*';

/** Splits a request path into cluster, API group/version and the remaining segments. */
export function parseApiPath(pathname: string): ApiPath {
  let segments = pathname.split('/').filter((s) => s !== '');
  segments = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  let cluster = '';
  if (segments[0] === 'clusters' && segments.length >= 2) {
    cluster = segments[1] as string;
    segments = segments.slice(2);
  }
  const [root, a, b] = segments;
  if (root === 'api') {
    if (segments.length <= 2) return { type: 'discovery', cluster, group: '', version: a, legacy: true };
    return { type: 'resource', cluster, group: '', version: a as string, segments: segments.slice(2) };
  }
  if (root === 'apis') {
    if (segments.length <= 3) return { type: 'discovery', cluster, group: a, version: b, legacy: false };
    return {
      type: 'resource',
      cluster,
      group: a as string,
      version: b as string,
      segments: segments.slice(3),
    };
  }
  return { type: 'other', cluster, rest: `/${segments.join('/')}` };
}

/**
 * Resolves the segments after `/api/v1` or `/apis/<group>/<version>`. `isNamespaced(plural)` says whether a
 * registered resource of that name is namespaced (`undefined`: not registered); it disambiguates
 * `/namespaces/<ns>/<plural>` from the `namespaces` resource itself (`/namespaces/<name>/status`).
 * Returns `undefined` for a path that cannot name a resource.
 */
export function resolveResourceRoute(
  segments: readonly string[],
  isNamespaced: (plural: string) => boolean | undefined,
): ResourceRoute | undefined {
  if (segments[0] === 'namespaces' && segments.length >= 3 && isNamespaced(segments[2] as string) === true) {
    if (segments.length > 5) return undefined;
    return {
      plural: segments[2] as string,
      namespace: segments[1],
      name: segments[3],
      subresource: segments[4],
    };
  }
  if (segments.length === 0 || segments.length > 3) return undefined;
  return { plural: segments[0] as string, namespace: undefined, name: segments[1], subresource: segments[2] };
}
