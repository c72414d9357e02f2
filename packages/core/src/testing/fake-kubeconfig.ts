/** What a generated kubeconfig points at and authenticates with. */
export interface FakeKubeConfigOptions {
  /** kcp logical cluster: the server URL gets a `/clusters/<cluster>` suffix (`*` for all clusters). */
  cluster?: string;
  /** Bearer token; default the server's token. `''` writes a user without credentials. */
  token?: string;
}

/**
 * Kubeconfig YAML for a plain-HTTP server: one cluster with `insecure-skip-tls-verify: true` (client-node
 * refuses `http://` servers otherwise), one token user, one context, selected as current.
 */
export function fakeKubeConfig(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${quoted(server)}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: fake',
    token ? `  user:\n    token: ${quoted(token)}` : '  user: {}',
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: fake',
    'current-context: fake',
    '',
  ].join('\n');
}

/** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
function quoted(value: string): string {
  return JSON.stringify(value);
}
