/** kcp setup for the quickstart: a provider workspace exporting an API that claims ConfigMaps and Events. */
import { ConfigMapResource } from '@kubeloom/core';
import type { KcpWorkspace, PermissionClaim } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { GREET_LABEL } from './greeter.ts';

/** The export's name (and its endpoint slice's). */
export const EXPORT_NAME = 'greetings.quickstart.kubeloom.dev';

/** What the provider may do in consumer workspaces; bindings accept these with exactly these verbs. */
export const permissionClaims: PermissionClaim[] = [
  { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { group: '', resource: 'events', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
];

/** How long each kcp step may take: a kcp busy with other work can take minutes to initialise a workspace. */
const KCP_STEP_MS = 180_000;

/** Creates the provider workspace and the export (with no schema of its own: it only claims). */
export async function setUpProvider(kcp: KcpTestEnvironment): Promise<KcpWorkspace> {
  const provider = await kcp.createWorkspace({
    generateName: 'quickstart-provider-',
    timeoutMs: KCP_STEP_MS,
  });
  await kcp.createApiExport({
    workspace: provider.path,
    name: EXPORT_NAME,
    schemas: [],
    permissionClaims,
    timeoutMs: KCP_STEP_MS,
  });
  return provider;
}

/** Creates a consumer workspace, binds the export and creates a ConfigMap asking for a greeting. */
export async function setUpConsumer(kcp: KcpTestEnvironment, provider: KcpWorkspace): Promise<KcpWorkspace> {
  const consumer = await kcp.createWorkspace({
    generateName: 'quickstart-consumer-',
    timeoutMs: KCP_STEP_MS,
  });
  await kcp.bindApiExport({
    workspace: consumer.path,
    exportPath: provider.path,
    exportName: EXPORT_NAME,
    timeoutMs: KCP_STEP_MS,
  });
  await kcp.clientFor(consumer.path).create(ConfigMapResource, {
    metadata: { name: 'welcome', namespace: 'default', labels: { [GREET_LABEL]: 'true' } },
    data: {},
  });
  return consumer;
}
