/**
 * kubeloom's kcp provider: typed kcp APIs, workspace and APIExport helpers, and (from
 * `@kubeloom/kcp-provider/testing`) a test environment that runs a real kcp.
 *
 * @packageDocumentation
 */
export * from './apis/apis.ts';
export * from './apis/conditions.ts';
export * from './apis/core.ts';
export * from './apis/tenancy.ts';
export * from './apis/urls.ts';
export * from './workspaces/api-exports.ts';
export * from './workspaces/workspaces.ts';
export * from './provider/apiexport-provider.ts';
export * from './provider/binding-tracker.ts';
export * from './provider/endpoint.ts';
export * from './provider/endpoint-cluster-cache.ts';
export * from './provider/lifecycle-entries.ts';
export * from './provider/missing-claims-report.ts';
export * from './provider/permission-claims.ts';
export * from './provider/workspace-lifecycle-provider.ts';
export * from './provider/engaged-workspaces.ts';
