import {
  type Client,
  SecretResource,
  ServiceAccountResource,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import type { ClusterBinding } from '../api/clusterbinding.ts';
import { KONNECTOR_SERVICE_ACCOUNT } from './consumer-rbac.ts';
import { scopedKubeconfig } from './scoped-kubeconfig.ts';

/** On the konnector kubeconfig Secret: when its token expires (RFC 3339), so the backend renews it in time. */
export const TOKEN_EXPIRES_ANNOTATION = 'backend.kube-bind.io/token-expires-at';

/** The shortest token lifetime a Kubernetes TokenRequest accepts (10 minutes). */
export const MIN_TOKEN_LIFETIME_SECONDS = 600;

/** Where konnector kubeconfigs point and how long their tokens live. */
export interface KonnectorCredentialOptions {
  readonly externalServer: string;
  readonly certificateAuthorityData?: string;
  /** At least {@link MIN_TOKEN_LIFETIME_SECONDS}; renewed when half of it has passed. */
  readonly tokenLifetimeSeconds: number;
  /** The clock renewal decisions read (milliseconds since the epoch). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A token of the konnector's ServiceAccount in `clusterNamespace` (TokenRequest), bound to the Secret that
 * will hold it: the API server checks on every request (after its short authentication cache) that the
 * ServiceAccount and that Secret still exist with the UIDs in the token, so deleting either revokes it.
 */
async function mintToken(
  client: Client,
  clusterNamespace: string,
  secret: { name: string; uid: string },
  lifetimeSeconds: number,
  now: () => number,
): Promise<{ token: string; expiresAt: string }> {
  const answer = await client.rest.request<{ status?: { token?: string; expirationTimestamp?: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${clusterNamespace}/serviceaccounts/${KONNECTOR_SERVICE_ACCOUNT}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        expirationSeconds: lifetimeSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secret.name, uid: secret.uid },
      },
    },
  });
  const token = answer.status?.token;
  if (!token)
    throw new Error(
      `the TokenRequest for ServiceAccount ${clusterNamespace}/${KONNECTOR_SERVICE_ACCOUNT} returned no token`,
    );
  return {
    token,
    expiresAt: answer.status?.expirationTimestamp ?? new Date(now() + lifetimeSeconds * 1000).toISOString(),
  };
}

/** The Secret's uid, creating it empty first when it does not exist (the token is bound to it). */
async function secretUid(client: Client, namespace: string, name: string): Promise<string> {
  try {
    const created = await client.create(SecretResource, { metadata: { name, namespace } });
    return created.metadata?.uid ?? '';
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return (await client.get(SecretResource, name, { namespace })).metadata?.uid ?? '';
}

/**
 * Mints a token bound to `<clusterNamespace>/<secret>` and writes the konnector kubeconfig (current context
 * naming the cluster namespace) into that Secret; returns the kubeconfig text, which holds the token: never
 * log it.
 */
export async function issueKonnectorKubeconfig(
  client: Client,
  clusterNamespace: string,
  secret: { name: string; key: string },
  options: KonnectorCredentialOptions,
): Promise<string> {
  if (options.tokenLifetimeSeconds < MIN_TOKEN_LIFETIME_SECONDS) {
    throw new Error(
      `tokenLifetimeSeconds is ${options.tokenLifetimeSeconds}; a TokenRequest needs at least ${MIN_TOKEN_LIFETIME_SECONDS} (10 minutes)`,
    );
  }
  const uid = await secretUid(client, clusterNamespace, secret.name);
  const { token, expiresAt } = await mintToken(
    client,
    clusterNamespace,
    { name: secret.name, uid },
    options.tokenLifetimeSeconds,
    options.now ?? Date.now,
  );
  const kubeconfig = scopedKubeconfig({
    server: options.externalServer,
    ...(options.certificateAuthorityData
      ? { certificateAuthorityData: options.certificateAuthorityData }
      : {}),
    token,
    namespace: clusterNamespace,
  });
  await client.patch(
    SecretResource,
    secret.name,
    {
      metadata: { uid, annotations: { [TOKEN_EXPIRES_ANNOTATION]: expiresAt } },
      data: { [secret.key]: Buffer.from(kubeconfig).toString('base64') },
    },
    { namespace: clusterNamespace },
  );
  return kubeconfig;
}

/**
 * When the konnector token that expires at `expiresAt` (ms since the epoch; undefined when unknown or
 * missing) should be renewed, seen at `now`: in how many milliseconds, 0 meaning now. Renewal is due once
 * half of the lifetime has passed, so a konnector that copies the new kubeconfig on its next heartbeat
 * always has a valid one, however late in the old token's life it looks.
 */
export function tokenRenewalDelayMs(
  expiresAt: number | undefined,
  now: number,
  lifetimeSeconds: number,
): number {
  if (expiresAt === undefined || Number.isNaN(expiresAt)) return 0;
  const halfLifeMs = (lifetimeSeconds * 1000) / 2;
  return Math.max(0, expiresAt - now - halfLifeMs);
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
  const now = options.now ?? Date.now;
  const namespace = binding.metadata.namespace ?? '';
  const ref = binding.spec.kubeconfigSecretRef;
  let expiresAt: number | undefined;
  try {
    const secret = await client.get(SecretResource, ref.name, { namespace });
    const annotated = secret.metadata?.annotations?.[TOKEN_EXPIRES_ANNOTATION];
    expiresAt = annotated && secret.data?.[ref.key] ? Date.parse(annotated) : undefined;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const delay = tokenRenewalDelayMs(expiresAt, now(), options.tokenLifetimeSeconds);
  if (delay > 0) return delay;
  try {
    await client.get(ServiceAccountResource, KONNECTOR_SERVICE_ACCOUNT, { namespace });
  } catch (error) {
    // Revoked (or never set up): nothing to renew until the consumer binds again.
    if (isNotFound(error)) return (options.tokenLifetimeSeconds * 1000) / 2;
    throw error;
  }
  await issueKonnectorKubeconfig(client, namespace, ref, options);
  return (options.tokenLifetimeSeconds * 1000) / 2;
}

/**
 * Revokes a consumer's konnector credentials: deletes the kubeconfig Secret its tokens are bound to and
 * the ServiceAccount they belong to, so every token handed out for this cluster namespace stops working
 * (the API server checks both objects on each request, after an authentication cache of about 10 s and as
 * fast as its informers see the deletions). Nothing else is deleted: the ClusterBinding, exports and synced
 * objects stay, and a new bind (which recreates both) brings the konnector back.
 */
export async function revokeKonnectorCredentials(
  client: Client,
  clusterNamespace: string,
  secretName = 'kubeconfig',
): Promise<void> {
  for (const remove of [
    () => client.delete(SecretResource, secretName, { namespace: clusterNamespace }),
    () => client.delete(ServiceAccountResource, KONNECTOR_SERVICE_ACCOUNT, { namespace: clusterNamespace }),
  ]) {
    try {
      await remove();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
