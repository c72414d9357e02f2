import type { TestProject } from 'vitest/node';
import { type KcpConnection, KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    kcp: KcpConnection;
  }
}

const log = (line: string): void => {
  process.stderr.write(`[e2e] ${line}\n`);
};

/** One real kcp for the whole e2e run; every test file creates its own workspaces in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.KUBELOOM_KCP_KUBECONFIG;
  let env: KcpTestEnvironment;
  if (existing) {
    log(`attaching to the kcp of ${existing}`);
    env = await KcpTestEnvironment.attach({ kubeconfigPath: existing });
  } else {
    const kcp = await ensureKcpBinary({ log });
    log(
      `kcp binary: ${kcp.path} (${kcp.version}) from ${kcp.source} in ${(kcp.durationMs / 1000).toFixed(2)} s`,
    );
    env = await KcpTestEnvironment.start({ binary: kcp.path, log });
    log(`kcp started and ready in ${(env.startupMs / 1000).toFixed(1)} s at ${env.baseUrl}`);
  }
  project.provide('kcp', env.connection);
  return async () => {
    await env.stop();
  };
}
