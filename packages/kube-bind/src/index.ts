/**
 * kube-bind on kubeloom: the kube-bind.io/v1alpha2 API types and their CRDs, and a konnector that binds a
 * provider's exported APIs into a consumer cluster.
 *
 * @packageDocumentation
 */
export * from './api/apiservicebinding.ts';
export * from './api/apiserviceexport.ts';
export * from './api/apiserviceexportrequest.ts';
export * from './api/apiservicenamespace.ts';
export * from './api/boundschema.ts';
export * from './api/clusterbinding.ts';
export * from './api/conditions.ts';
export * from './api/crds.ts';
export * from './api/group.ts';
export * from './api/install-crds.ts';
export * from './api/labels.ts';
export * from './api/permission-claims.ts';
export * from './bind/backend-client.ts';
export * from './bind/bind-export.ts';
export * from './konnector/konnector.ts';
export * from './konnector/bound-crd.ts';
export * from './konnector/isolation.ts';
export * from './konnector/provider-kubeconfig.ts';
