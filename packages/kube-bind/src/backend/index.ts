/**
 * The provider side of kube-bind on kubeloom: the backend's controllers (export requests, namespaces,
 * cluster bindings), its HTTP binding service with OIDC login, and the kubeconfig it hands to consumers.
 *
 * @packageDocumentation
 */
export * from './binding-server.ts';
export * from './bound-schema-from-ars.ts';
export * from './catalogue.ts';
export * from './cluster-binding-controller.ts';
export * from './consumer-rbac.ts';
export * from './consumer-setup.ts';
export * from './export-request-controller.ts';
export * from './heartbeat-health.ts';
export * from './konnector-credentials.ts';
export * from './oidc-login.ts';
export * from './scoped-kubeconfig.ts';
export * from './service-namespace-controller.ts';
export * from './wire-types.ts';
