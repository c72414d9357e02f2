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
import * as apiextensionsV1 from './builtins/generated/apiextensions.k8s.io_v1.ts';
import * as appsV1 from './builtins/generated/apps_v1.ts';
import * as coordinationV1 from './builtins/generated/coordination.k8s.io_v1.ts';
import * as coreV1 from './builtins/generated/core_v1.ts';
import { defineResource } from './resource.ts';

/*
 * The built-ins kubeloom itself uses, typed by @kubernetes/client-node's models in their JSON shape (so a
 * client-node object can be written as it is). Group, version, kind, plural and scope come from the modules
 * `kubeloom gen types` wrote from the API server's OpenAPI (`@kubeloom/core/builtins/<group>_<version>`,
 * whose object types are generated too), so each resource's coordinates are declared once.
 */

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
export const ConfigMapResource = defineResource<ConfigMap>(coreV1.ConfigMapResource);
/** core/v1 Secrets. */
export const SecretResource = defineResource<Secret>(coreV1.SecretResource);
/** core/v1 Namespaces. */
export const NamespaceResource = defineResource<Namespace>(coreV1.NamespaceResource);
/** core/v1 Events. */
export const EventResource = defineResource<Event>(coreV1.EventResource);
/** coordination.k8s.io/v1 Leases (leader election). */
export const LeaseResource = defineResource<Lease>(coordinationV1.LeaseResource);
/** apps/v1 Deployments. */
export const DeploymentResource = defineResource<Deployment>(appsV1.DeploymentResource);
/** core/v1 Services. */
export const ServiceResource = defineResource<Service>(coreV1.ServiceResource);
/** core/v1 ServiceAccounts. */
export const ServiceAccountResource = defineResource<ServiceAccount>(coreV1.ServiceAccountResource);
/** apiextensions.k8s.io/v1 CustomResourceDefinitions. */
export const CustomResourceDefinitionResource = defineResource<CustomResourceDefinition>(
  apiextensionsV1.CustomResourceDefinitionResource,
);
