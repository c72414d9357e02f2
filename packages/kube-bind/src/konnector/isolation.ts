import type { KubeObject } from '@kubeloom/core';
import type { Isolation } from '../api/apiserviceexport.ts';
import { CLUSTER_NAMESPACE_ANNOTATION, CONSUMER_NAMESPACE_ANNOTATION } from '../api/labels.ts';

/** Where an object lives: `namespace` is `''` for cluster-scoped objects. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

/** How the objects of one bound resource are placed on the provider. */
export interface Placement {
  /** The consumer's cluster namespace on the provider. */
  readonly clusterNamespace: string;
  /** Whether the resource is namespaced on the consumer. */
  readonly namespaced: boolean;
  /** For cluster-scoped resources: how consumers are kept apart. */
  readonly isolation: Isolation;
}

/** Whether the provider's copies are namespaced (a cluster-scoped resource is, under `Namespaced` isolation). */
export function providerNamespaced(placement: Placement): boolean {
  return placement.namespaced || placement.isolation === 'Namespaced';
}

/**
 * The provider key of a consumer object. Namespaced objects go to the provider namespace the backend
 * assigned to their consumer namespace (`providerNamespace`, from the APIServiceNamespace); cluster-scoped
 * ones are prefixed with the cluster namespace, moved into it, or kept as they are, by isolation.
 */
export function providerKeyOf(
  placement: Placement,
  consumer: ObjectKey,
  providerNamespace?: string,
): ObjectKey {
  if (placement.namespaced) {
    if (!providerNamespace)
      throw new Error('unreachable: a namespaced object is placed once its provider namespace is known');
    return { namespace: providerNamespace, name: consumer.name };
  }
  if (placement.isolation === 'Prefixed') {
    return { namespace: '', name: `${placement.clusterNamespace}-${consumer.name}` };
  }
  if (placement.isolation === 'Namespaced')
    return { namespace: placement.clusterNamespace, name: consumer.name };
  return { namespace: '', name: consumer.name };
}

/**
 * The consumer key of a provider copy, or undefined when the copy is not this consumer's: only copies
 * annotated with this cluster namespace are (another consumer's copies, and objects the provider created
 * itself, are never mapped, so never touched).
 */
export function consumerKeyOf(placement: Placement, copy: KubeObject): ObjectKey | undefined {
  const annotations = copy.metadata?.annotations ?? {};
  if (annotations[CLUSTER_NAMESPACE_ANNOTATION] !== placement.clusterNamespace) return undefined;
  const name = copy.metadata?.name ?? '';
  if (placement.namespaced) {
    const namespace = annotations[CONSUMER_NAMESPACE_ANNOTATION];
    return namespace ? { namespace, name } : undefined;
  }
  if (placement.isolation === 'Prefixed') {
    const prefix = `${placement.clusterNamespace}-`;
    return name.startsWith(prefix) ? { namespace: '', name: name.slice(prefix.length) } : undefined;
  }
  if (placement.isolation === 'Namespaced' && copy.metadata?.namespace !== placement.clusterNamespace) {
    return undefined;
  }
  return { namespace: '', name };
}
