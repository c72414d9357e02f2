export * from './apply-manifests.ts';
export * from './manifest-error.ts';
export * from './parse-manifests.ts';
