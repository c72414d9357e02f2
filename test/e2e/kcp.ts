import { type KcpWorkspace, WorkspaceTypeResource } from '@kubeloom/kcp-provider';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { inject } from 'vitest';

/** The run's shared kcp (started by global-setup.ts), attached from this test worker. */
export function sharedKcp(): Promise<KcpTestEnvironment> {
  return KcpTestEnvironment.attach(inject('kcp'));
}

/**
 * A fresh workspace holding a WorkspaceType named `typeName` that extends `root:universal` and is an
 * initializer or terminator (its lifecycle role), for the workspace-lifecycle provider tests.
 */
export async function createLifecycleWorkspaceType(
  kcp: KcpTestEnvironment,
  options: { generateName: string; typeName: string; role: 'initializer' | 'terminator' },
): Promise<KcpWorkspace> {
  const home = await kcp.createWorkspace({ generateName: options.generateName });
  await kcp.clientFor(home.path).create(WorkspaceTypeResource, {
    metadata: { name: options.typeName },
    spec: { [options.role]: true, extend: { with: [{ name: 'universal', path: 'root' }] } },
  });
  return home;
}
