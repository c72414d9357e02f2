/**
 * The provider side of kube-bind on kubeloom: the backend's controllers and the kubeconfig it hands to
 * consumers.
 *
 * @packageDocumentation
 */
export * from './scoped-kubeconfig.ts';
export * from './service-namespace-controller.ts';
