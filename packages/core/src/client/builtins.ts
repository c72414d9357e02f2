import type {
  CoreV1Event,
  V1ConfigMap,
  V1CustomResourceDefinition,
  V1Deployment,
  V1Lease,
  V1Namespace,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Json } from './object.ts';
import { defineResource } from './resource.ts';

/** A ConfigMap as plain JSON. */
export type ConfigMap = Json<V1ConfigMap>;
/** A Secret as plain JSON. */
export type Secret = Json<V1Secret>;
/** A Namespace as plain JSON. */
export type Namespace = Json<V1Namespace>;
/** A core/v1 Event as plain JSON. */
export type Event = Json<CoreV1Event>;
/** A coordination.k8s.io Lease as plain JSON. */
export type Lease = Json<V1Lease>;
/** An apps/v1 Deployment as plain JSON. */
export type Deployment = Json<V1Deployment>;
/** A Service as plain JSON. */
export type Service = Json<V1Service>;
/** A ServiceAccount as plain JSON. */
export type ServiceAccount = Json<V1ServiceAccount>;
/** A CustomResourceDefinition as plain JSON. */
export type CustomResourceDefinition = Json<V1CustomResourceDefinition>;

/** core/v1 ConfigMaps. */
export const ConfigMapResource = defineResource<ConfigMap>({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
});
/** core/v1 Secrets. */
export const SecretResource = defineResource<Secret>({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
});
/** core/v1 Namespaces. */
export const NamespaceResource = defineResource<Namespace>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
});
/** core/v1 Events. */
export const EventResource = defineResource<Event>({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
});
/** coordination.k8s.io/v1 Leases (leader election). */
export const LeaseResource = defineResource<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
});
/** apps/v1 Deployments. */
export const DeploymentResource = defineResource<Deployment>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
});
/** core/v1 Services. */
export const ServiceResource = defineResource<Service>({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
});
/** core/v1 ServiceAccounts. */
export const ServiceAccountResource = defineResource<ServiceAccount>({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
});
/** apiextensions.k8s.io/v1 CustomResourceDefinitions. */
export const CustomResourceDefinitionResource = defineResource<CustomResourceDefinition>({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
});
