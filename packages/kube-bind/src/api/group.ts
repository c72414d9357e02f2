/** The API group and version of every kube-bind object this package reads and writes. */
export const KUBE_BIND_GROUP = 'kube-bind.io';

/** The storage version kube-bind serves its objects in. */
export const KUBE_BIND_VERSION = 'v1alpha2';

/** `kube-bind.io/v1alpha2`. */
export const KUBE_BIND_API_VERSION = `${KUBE_BIND_GROUP}/${KUBE_BIND_VERSION}`;

/** A `{group, resource, versions}` reference to an exported resource, as in requests and exports. */
export interface ResourceRef {
  group: string;
  resource: string;
  versions?: string[];
}

/** A reference to a Secret key (on the consumer, with its namespace). */
export interface SecretKeyRef {
  namespace: string;
  name: string;
  key: string;
}
