import { waitFor } from '@kubeloom/core';
import { APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import type { ExportRef } from './export-ref.ts';

/** The discovery document of an API group (`GET /apis/<group>`). */
interface ApiGroupDiscovery {
  preferredVersion?: { version: string };
}

/**
 * Binds `exportRef` into `tenant` (an APIBinding named like the export, accepting every permission claim
 * the export makes) and waits until the tenant serves each of the export's resources: a binding is Ready
 * a moment before the tenant's discovery and its list endpoints answer for the bound resources.
 */
export async function bindExport(
  kcp: KcpTestEnvironment,
  tenant: KcpWorkspace,
  exportRef: ExportRef,
  timeoutMs: number,
): Promise<void> {
  await kcp.bindApiExport({
    workspace: tenant.path,
    exportPath: exportRef.path,
    exportName: exportRef.name,
    timeoutMs,
  });
  const apiExport = await kcp.clientFor(exportRef.path).get(APIExportResource, exportRef.name);
  const rest = kcp.clientFor(tenant.path).rest;
  for (const { group, name } of apiExport.spec?.resources ?? []) {
    await waitFor(
      async () => {
        const discovery = await rest.request<ApiGroupDiscovery>({ path: `/apis/${group}` });
        const version = discovery.preferredVersion?.version;
        if (!version) return false;
        await rest.request({
          path: `/apis/${group}/${version}/namespaces/default/${name}`,
          query: { limit: 1 },
        });
        return true;
      },
      {
        what: `tenant ${tenant.path} to serve ${name}.${group} from ${exportRef.path}:${exportRef.name}`,
        timeoutMs,
      },
    );
  }
}
