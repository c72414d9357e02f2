/**
 * Which workspace a provider's client points at. A provider reads the object it follows (an endpoint slice,
 * a WorkspaceType) from one workspace, so its server URL must name that workspace: `…/clusters/<path>`.
 * Without it kcp answers every request with an empty cluster context, which can never work.
 */

/** Where a provider's followed object is read from, for messages: the workspace path and the server URL. */
export interface ProviderWorkspace {
  /** The workspace path (or logical cluster name) after `/clusters/`, e.g. `root:org:provider`. */
  readonly path: string;
  /** The client's server URL, e.g. `https://kcp:6443/clusters/root:org:provider`. */
  readonly url: string;
}

/**
 * The workspace named by a server URL's `/clusters/<path>` suffix.
 *
 * @param what what needs the workspace, for the error, e.g. `APIExportEndpointSlice "widgets"`
 * @throws TypeError when the URL has no `/clusters/<workspace>` (or names the wildcard `*`), saying what to fix
 */
export function providerWorkspace(server: string, provider: string, what: string): ProviderWorkspace {
  const url = server.replace(/\/+$/, '');
  const match = /\/clusters\/([^/?#]+)$/.exec(url);
  const path = match?.[1] ? decodeURIComponent(match[1]) : undefined;
  if (!path || path === '*') {
    const base = url.replace(/\/clusters\/[^/]*$/, '');
    throw new TypeError(
      `${provider}: the server URL ${url} does not name a workspace; point the kubeconfig (or client) at the workspace that holds ${what}, e.g. ${base}/clusters/root:my-provider`,
    );
  }
  return { path, url };
}
