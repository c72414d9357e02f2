export * from './cluster.ts';
export * from './cluster-set.ts';
export * from './informer-cache.ts';
export * from './kubeconfig-files-provider.ts';
export * from './multi-provider.ts';
export * from './new-cluster.ts';
export * from './single-provider.ts';
export * from './static-provider.ts';
