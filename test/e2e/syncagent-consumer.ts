/**
 * A consumer workspace of the syncagent e2e tests: created, bound to the agent's APIExport, and returned
 * only once it serves the bound resource (kcp serves a binding's API a moment after the binding is Ready).
 */
import { type ResourceDescriptor, waitFor } from '@kubeloom/core';
import type { KcpWorkspace, PermissionClaim } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';

/** What {@link bindConsumerWorkspace} creates and binds. */
export interface ConsumerOptions {
  readonly generateName: string;
  readonly exportPath: string;
  readonly exportName: string;
  /** A namespaced resource of the export; the workspace is ready once its `default` namespace lists it. */
  readonly served: ResourceDescriptor;
  readonly acceptClaim?: (claim: PermissionClaim) => boolean;
  readonly timeoutMs: number;
}

/**
 * A new Ready workspace. A loaded shared kcp now and then leaves a new workspace Initializing for minutes,
 * or answers the create with a 500: then one more is tried, with the whole `timeoutMs`.
 */
export function createWorkspaceRetrying(
  kcp: KcpTestEnvironment,
  generateName: string,
  timeoutMs: number,
): Promise<KcpWorkspace> {
  return kcp
    .createWorkspace({ generateName, timeoutMs: timeoutMs / 2 })
    .catch(() => kcp.createWorkspace({ generateName, timeoutMs }));
}

/** A new workspace bound to the export, once it serves `served`. */
export async function bindConsumerWorkspace(
  kcp: KcpTestEnvironment,
  options: ConsumerOptions,
): Promise<KcpWorkspace> {
  const consumer = await createWorkspaceRetrying(kcp, options.generateName, options.timeoutMs);
  await kcp.bindApiExport({
    workspace: consumer.path,
    exportPath: options.exportPath,
    exportName: options.exportName,
    timeoutMs: options.timeoutMs,
    ...(options.acceptClaim ? { acceptClaim: options.acceptClaim } : {}),
  });
  const client = kcp.clientFor(consumer.path);
  await waitFor(
    async () =>
      client.list(options.served, { namespace: 'default' }).then(
        () => true,
        () => false,
      ),
    {
      what: `consumer ${consumer.path} serves ${options.served.plural}.${options.served.group}`,
      timeoutMs: options.timeoutMs,
    },
  );
  return consumer;
}
