import { type Client, SecretResource, isAlreadyExists, isNotFound } from '@kubeloom/core';
import type { ClusterBinding } from '../api/clusterbinding.ts';
import { KONNECTOR_SERVICE_ACCOUNT } from './consumer-rbac.ts';
import { scopedKubeconfig } from './scoped-kubeconfig.ts';

/** On the konnector kubeconfig Secret: when its token expires (RFC 3339), so the backend renews it in time. */
export const TOKEN_EXPIRES_ANNOTATION = 'backend.kube-bind.io/token-expires-at';

/** Where konnector kubeconfigs point and how long their tokens live. */
export interface KonnectorCredentialOptions {
  readonly externalServer: string;
  readonly certificateAuthorityData?: string;
  readonly tokenLifetimeSeconds: number;
}

/** A token of the konnector's ServiceAccount in `clusterNamespace` (TokenRequest), with its expiry. */
async function mintToken(
  client: Client,
  clusterNamespace: string,
  lifetimeSeconds: number,
): Promise<{ token: string; expiresAt: string }> {
  const answer = await client.rest.request<{ status?: { token?: string; expirationTimestamp?: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${clusterNamespace}/serviceaccounts/${KONNECTOR_SERVICE_ACCOUNT}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: lifetimeSeconds },
    },
  });
  const token = answer.status?.token;
  if (!token)
    throw new Error(
      `the TokenRequest for ServiceAccount ${clusterNamespace}/${KONNECTOR_SERVICE_ACCOUNT} returned no token`,
    );
  return {
    token,
    expiresAt:
      answer.status?.expirationTimestamp ?? new Date(Date.now() + lifetimeSeconds * 1000).toISOString(),
  };
}

/**
 * Mints a token and writes the konnector kubeconfig (current context naming the cluster namespace) into
 * `<clusterNamespace>/<secret>`; returns the kubeconfig text, which holds the token: never log it.
 */
export async function issueKonnectorKubeconfig(
  client: Client,
  clusterNamespace: string,
  secret: { name: string; key: string },
  options: KonnectorCredentialOptions,
): Promise<string> {
  const { token, expiresAt } = await mintToken(client, clusterNamespace, options.tokenLifetimeSeconds);
  const kubeconfig = scopedKubeconfig({
    server: options.externalServer,
    ...(options.certificateAuthorityData
      ? { certificateAuthorityData: options.certificateAuthorityData }
      : {}),
    token,
    namespace: clusterNamespace,
  });
  const body = {
    metadata: {
      name: secret.name,
      namespace: clusterNamespace,
      annotations: { [TOKEN_EXPIRES_ANNOTATION]: expiresAt },
    },
    data: { [secret.key]: Buffer.from(kubeconfig).toString('base64') },
  };
  try {
    await client.create(SecretResource, body);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    await client.patch(
      SecretResource,
      secret.name,
      { metadata: body.metadata, data: body.data },
      { namespace: clusterNamespace },
    );
  }
  return kubeconfig;
}

/**
 * Renews the konnector kubeconfig of a ClusterBinding once half of its token's lifetime has passed (or when
 * it is missing). Returns how long until the next renewal is due, in milliseconds.
 */
export async function refreshKonnectorKubeconfig(
  client: Client,
  binding: ClusterBinding,
  options: KonnectorCredentialOptions,
): Promise<number> {
  const namespace = binding.metadata.namespace ?? '';
  const ref = binding.spec.kubeconfigSecretRef;
  const halfLifeMs = (options.tokenLifetimeSeconds * 1000) / 2;
  let expiresAt: number | undefined;
  try {
    const secret = await client.get(SecretResource, ref.name, { namespace });
    const annotated = secret.metadata?.annotations?.[TOKEN_EXPIRES_ANNOTATION];
    expiresAt = annotated ? Date.parse(annotated) : undefined;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (expiresAt !== undefined && expiresAt - Date.now() > halfLifeMs)
    return expiresAt - Date.now() - halfLifeMs;
  await issueKonnectorKubeconfig(client, namespace, ref, options);
  return halfLifeMs;
}
