import { stringify } from 'yaml';

/** What a kubeconfig for one consumer needs. */
export interface ScopedKubeconfigInput {
  /** The provider API server URL (for kcp: the workspace URL, `<base>/clusters/<cluster>`). */
  readonly server: string;
  /** Base64 PEM of the CA that signed the server's certificate, if not a public one. */
  readonly certificateAuthorityData?: string;
  /** A bearer token of the consumer's identity on the provider. */
  readonly token: string;
  /** The consumer's cluster namespace: the context's namespace, as the konnector requires. */
  readonly namespace: string;
  /** Names the cluster, user and context entries. Default `provider`. */
  readonly name?: string;
}

/**
 * A kubeconfig (YAML) whose current context points at the provider with the consumer's token and names the
 * consumer's cluster namespace: what the backend hands out and the konnector reads. It holds a credential:
 * store it in a Secret, never in a log.
 */
export function scopedKubeconfig(input: ScopedKubeconfigInput): string {
  const name = input.name ?? 'provider';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: input.server,
          ...(input.certificateAuthorityData
            ? { 'certificate-authority-data': input.certificateAuthorityData }
            : {}),
        },
      },
    ],
    users: [{ name, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: input.namespace } }],
    'current-context': name,
  });
}
