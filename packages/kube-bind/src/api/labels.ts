/**
 * The labels, annotations and finalizer kube-bind agrees on between consumer, konnector and backend.
 * Their values are kube-bind's own, so objects written here read the same to upstream tools.
 */

/** Finalizer on consumer objects of bound types: the provider copy is removed before the object goes. (The group really is `kubebind.io`.) */
export const SYNCER_FINALIZER = 'kubebind.io/syncer';

/** On provider copies: the cluster namespace of the consumer that owns the copy. */
export const CLUSTER_NAMESPACE_ANNOTATION = 'kube-bind.io/cluster-namespace';

/** On provider copies: the consumer object's namespace. */
export const CONSUMER_NAMESPACE_ANNOTATION = 'kube-bind.io/consumer-namespace';

/** On provider copies: the consumer object's uid. */
export const CONSUMER_UID_ANNOTATION = 'kube-bind.io/consumer-uid';

/** On consumer objects: the provider copy's namespace. */
export const PROVIDER_NAMESPACE_ANNOTATION = 'kube-bind.io/provider-namespace';

/** On consumer objects: the provider copy's uid. */
export const PROVIDER_UID_ANNOTATION = 'kube-bind.io/provider-uid';

/** `provider` or `consumer`: which side owns a claimed object or an APIServiceNamespace. */
export const OWNER_LABEL = 'kube-bind.io/owner';

/** On consumer Secrets that hold a provider kubeconfig (`true`). */
export const PROVIDER_KUBECONFIG_LABEL = 'kube-bind.io/provider-kubeconfig';

/** On provider CRDs or APIResourceSchemas that the backend may export (`true`). */
export const EXPORTED_LABEL = 'kube-bind.io/exported';

/** The server-side apply field manager for provider copies. */
export const FIELD_MANAGER = 'kube-bind.io';
