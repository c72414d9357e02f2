/**
 * Wiring: the API's schema and export in the provider workspace, and a Manager that runs the Widget
 * controller in every workspace bound to the export.
 */
import { type Client, type Logger, Manager } from '@kubeloom/core';
import { APIExportProvider, type APIExport, createApiExport } from '@kubeloom/kcp-provider';
import { toAPIResourceSchema } from '@kubeloom/kcp-provider/schemas';
import { EXPORT_NAME, permissionClaims, widgetCrd } from './api.ts';
import { widgetController } from './controller.ts';

/**
 * Creates the Widget APIResourceSchema and the APIExport in the provider workspace (both kept if they
 * exist: schemas are immutable, and a changed CRD gets a new schema name). `client` reaches kcp as an
 * identity that may create them there.
 */
export function installApi(client: Client, providerWorkspace: string): Promise<APIExport> {
  return createApiExport(client, {
    workspace: providerWorkspace,
    name: EXPORT_NAME,
    schemas: [toAPIResourceSchema(widgetCrd)],
    permissionClaims,
    timeoutMs: 180_000, // until kcp gives the export its identity: seconds usually, more on a busy kcp
  });
}

/**
 * The operator: `providerClient` points at the provider workspace (`.../clusters/<workspace>`); the
 * workspaces come and go as consumers bind and unbind the export.
 */
export function operatorManager(providerClient: Client, options: { logger?: Logger } = {}): Manager {
  const provider = new APIExportProvider({ client: providerClient, endpointSlice: EXPORT_NAME, ...options });
  const manager = new Manager({
    local: providerClient,
    provider,
    healthProbeBindAddress: '127.0.0.1:0',
    ...options,
  });
  manager.add(widgetController({ logger: manager.logger, metrics: manager.controllerMetrics }));
  return manager;
}
