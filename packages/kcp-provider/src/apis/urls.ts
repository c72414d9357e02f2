/**
 * Logical-cluster names versus workspace paths, and the URLs built from them.
 *
 * A workspace *path* is where a workspace sits in the tree (`root:org:team`); its logical cluster *name* is
 * an opaque id (`2x9kq1...`) that never changes. kcp accepts either in `/clusters/<x>` on a shard, but the
 * APIExport virtual workspace accepts only names, and objects carry only the name (`kcp.io/cluster`).
 */

/** True if `s` looks like a workspace path (`root` or contains `:`), not a logical cluster name. */
export function isWorkspacePath(s: string): boolean {
  return s === 'root' || s.includes(':');
}

/** Parent path of a workspace path (`root:a:b` → `root:a`); undefined for `root`. */
export function parentPath(path: string): string | undefined {
  const i = path.lastIndexOf(':');
  return i < 0 ? undefined : path.slice(0, i);
}

/** Last segment of a workspace path (`root:a:b` → `b`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf(':') + 1);
}

/**
 * The base URL of a server without any `/clusters/...` suffix: `https://h:6443/clusters/root` → `https://h:6443`.
 * Virtual-workspace URLs (`…/services/apiexport/x/y`) are returned unchanged.
 */
export function serverBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  const i = trimmed.indexOf('/clusters/');
  return i < 0 ? trimmed : trimmed.slice(0, i);
}

/** `<base>/clusters/<nameOrPath>`, for a shard URL or a virtual-workspace endpoint URL. */
export function clusterUrl(base: string, nameOrPath: string): string {
  return `${serverBase(base)}/clusters/${nameOrPath}`;
}

/** `<endpoint>/clusters/*`: the wildcard view across every workspace an endpoint serves (list and watch only). */
export function wildcardUrl(endpointUrl: string): string {
  return clusterUrl(endpointUrl, '*');
}
