export * from './kcp-binary.ts';
export * from './kcp-release.ts';
export * from './kcp-test-environment.ts';
export * from './sharded-kcp-test-environment.ts';
