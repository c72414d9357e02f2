import { type Client, SecretResource } from '@kubeloom/core';
import { type APIServiceBinding, APIServiceBindingResource } from '../api/apiservicebinding.ts';
import { type ProviderKubeconfig, readProviderKubeconfig } from '../konnector/provider-kubeconfig.ts';
import { getOrUndefined } from '../util/get-or-undefined.ts';

/** Where a provider kubeconfig leads: the API server and the provider "cluster namespace". */
export type ProviderTarget = Pick<ProviderKubeconfig, 'server' | 'clusterNamespace'>;

/**
 * Why an APIServiceBinding that already exists cannot take a new bind, or `undefined` when it can: there is
 * none, or its Secret leads to the same provider (the Secret is then refreshed in place). The binding's
 * `kubeconfigSecretRef` is immutable (kube-bind's CRD says `self == oldSelf`), so a binding of the same
 * name that leads to another provider would go on syncing with that one: say so instead of pretending.
 */
export function existingBindingConflict(
  binding: APIServiceBinding | undefined,
  referencedSecret: Parameters<typeof readProviderKubeconfig>[0],
  wanted: ProviderTarget,
): string | undefined {
  if (!binding) return undefined;
  const ref = binding.spec.kubeconfigSecretRef;
  const read = readProviderKubeconfig(referencedSecret, ref);
  if (
    read.ok &&
    read.kubeconfig.server === wanted.server &&
    read.kubeconfig.clusterNamespace === wanted.clusterNamespace
  ) {
    return undefined;
  }
  const name = binding.metadata.name ?? '';
  const current = read.ok
    ? `the provider at ${read.kubeconfig.server} (namespace ${read.kubeconfig.clusterNamespace})`
    : `Secret ${ref.namespace}/${ref.name}, which is not usable (${read.message})`;
  return `APIServiceBinding ${name} already exists and binds through ${current}; a binding's kubeconfig Secret cannot change, so binding it again from the provider at ${wanted.server} (namespace ${wanted.clusterNamespace}) would not take effect. Bind from the same backend, or delete the binding first (kubectl delete apiservicebinding ${name}) and bind again`;
}

/** Reads the binding named `name` and the Secret it refers to, and returns {@link existingBindingConflict}. */
export async function checkExistingBinding(
  consumer: Client,
  name: string,
  wanted: ProviderTarget,
): Promise<string | undefined> {
  const binding = await getOrUndefined(consumer.get(APIServiceBindingResource, name));
  if (!binding) return undefined;
  const ref = binding.spec.kubeconfigSecretRef;
  const secret = await getOrUndefined(consumer.get(SecretResource, ref.name, { namespace: ref.namespace }));
  return existingBindingConflict(binding, secret, wanted);
}
