export * from './cluster.ts';
export * from './informer-cache.ts';
