/**
 * The agent's kcp kubeconfig must point at a workspace (`https://kcp:6443/clusters/root:org:provider`):
 * that is where it finds the APIExportEndpointSlice. This checks the server URL up front, with a message
 * that says how to fix it (upstream's terse "/clusters/" error was reported as confusing, issue #111).
 */

/** The workspace path or logical cluster name in a kcp server URL. Throws when there is none. */
export function kcpWorkspaceOfServer(server: string, source: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`${source}: server "${server}" is not a URL`);
  }
  const match = /\/clusters\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) {
    throw new Error(
      `${source}: server ${url.origin}${url.pathname} does not point at a kcp workspace; it must end in /clusters/<workspace> (e.g. ${url.origin}/clusters/root:providers:database), the workspace that holds the APIExportEndpointSlice. Check the kubeconfig's current-context, or run "kubectl ws" with it.`,
    );
  }
  return decodeURIComponent(match[1] as string);
}
