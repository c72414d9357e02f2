import { createHash } from 'node:crypto';
import { type Client, NamespaceResource, ServiceAccountResource } from '@kubeloom/core';
import { CLUSTER_BINDING_NAME, ClusterBindingResource } from '../api/clusterbinding.ts';
import { KONNECTOR_SERVICE_ACCOUNT, ensureClusterNamespaceRbac } from './consumer-rbac.ts';
import { type KonnectorCredentialOptions, issueKonnectorKubeconfig } from './konnector-credentials.ts';
import { createIfMissing } from '../util/create-if-missing.ts';

/** On a cluster namespace: the identity it was made for (a digest), so a second bind finds it again. */
export const IDENTITY_ANNOTATION = 'backend.kube-bind.io/identity';
/** On a cluster namespace: who asked for it. */
export const AUTHOR_ANNOTATION = 'backend.kube-bind.io/author';

/** Who binds: the logged-in user and the consumer cluster they bind from. */
export interface ConsumerIdentity {
  /** The OIDC issuer and subject of the user. */
  readonly issuer: string;
  readonly subject: string;
  /** The consumer cluster's identity (e.g. its kube-system namespace UID). */
  readonly cluster: string;
  /** For the audit annotation (the user's e-mail or name). */
  readonly author: string;
}

/**
 * The cluster namespace of a consumer: one per user and consumer cluster, so two users never share one
 * even when they claim the same cluster identity.
 */
export function clusterNamespaceOf(identity: ConsumerIdentity, prefix = 'kube-bind-'): string {
  const digest = createHash('sha256')
    .update(`${identity.issuer}\n${identity.subject}\n${identity.cluster}`)
    .digest('hex');
  return `${prefix}${digest.slice(0, 12)}`;
}

/**
 * Sets up (or finds again) a consumer's cluster namespace on the provider: the namespace, the konnector's
 * ServiceAccount and Role, the ClusterBinding `cluster`, and a kubeconfig for the konnector, scoped to that
 * namespace, which is returned (it holds a token: never log it).
 */
export async function setUpConsumerNamespace(
  client: Client,
  identity: ConsumerIdentity,
  options: KonnectorCredentialOptions & { providerPrettyName: string; namespacePrefix?: string },
): Promise<{ clusterNamespace: string; kubeconfig: string }> {
  const clusterNamespace = clusterNamespaceOf(identity, options.namespacePrefix);
  const digest = clusterNamespace.slice((options.namespacePrefix ?? 'kube-bind-').length);
  await createIfMissing(() =>
    client.create(NamespaceResource, {
      metadata: {
        name: clusterNamespace,
        annotations: { [IDENTITY_ANNOTATION]: digest, [AUTHOR_ANNOTATION]: identity.author },
      },
    }),
  );
  await createIfMissing(() =>
    client.create(ServiceAccountResource, {
      metadata: { name: KONNECTOR_SERVICE_ACCOUNT, namespace: clusterNamespace },
    }),
  );
  await ensureClusterNamespaceRbac(client, clusterNamespace);
  const secret = { name: 'kubeconfig', key: 'kubeconfig' };
  await createIfMissing(() =>
    client.create(ClusterBindingResource, {
      metadata: { name: CLUSTER_BINDING_NAME, namespace: clusterNamespace },
      spec: { kubeconfigSecretRef: secret, providerPrettyName: options.providerPrettyName },
    }),
  );
  const kubeconfig = await issueKonnectorKubeconfig(client, clusterNamespace, secret, options);
  return { clusterNamespace, kubeconfig };
}
