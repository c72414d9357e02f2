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
export type { RecordedRequest } from './recorded-request.ts';
export type { ChangeType, ResourceOptions } from './resource-table.ts';
