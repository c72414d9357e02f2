/**
 * Test helpers for kubeloom (`@kubeloom/core/testing`): an in-process fake Kubernetes API server with
 * deterministic fault injection, for fast reconciler tests and watcher edge cases.
 *
 * @packageDocumentation
 */
export * from './fake-api-server.ts';
export * from './fake-kubeconfig.ts';
export * from './failure-rules.ts';
export * from './fault-injector.ts';
export * from './field-selector.ts';
export * from './json-patch.ts';
export * from './merge-patch.ts';
export * from './recording-aware.ts';
export * from './recording-logger.ts';
export type { RecordedRequest } from './recorded-request.ts';
export type { ChangeType, ResourceOptions } from './resource-table.ts';
export * from './binary-installer.ts';
export * from './cache-dir.ts';
export * from './executable-lookup.ts';
export * from './go-build.ts';
export * from './kube-binaries.ts';
export * from './kube-release.ts';
export * from './release-download.ts';
export * from './crd-install.ts';
export * from './free-port.ts';
export * from './process-alive.ts';
export * from './kube-test-environment.ts';
export * from './process-supervisor.ts';
export * from './scratch-directories.ts';
export * from './https-probe.ts';
