import type { TestProject } from 'vitest/node';
import {
  type KubeBinaries,
  type KubeConnection,
  KubeTestEnvironment,
  ensureKubeBinary,
} from '@kubeloom/core/testing';
import { type KcpConnection, KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';
import { assertBuiltPackagesAreCurrent } from './built-packages.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kcp: KcpConnection;
    kube: KubeConnection;
  }
}

const log = (line: string): void => {
  process.stderr.write(`[e2e] ${line}\n`);
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Provides the kcp binary (unless attaching to a running kcp) and returns how to start or attach. */
async function prepareKcp(): Promise<() => Promise<KcpTestEnvironment>> {
  const existing = process.env.KUBELOOM_KCP_KUBECONFIG;
  if (existing) {
    return () => {
      log(`attaching to the kcp of ${existing}`);
      return KcpTestEnvironment.attach({ kubeconfigPath: existing });
    };
  }
  const kcp = await ensureKcpBinary({ log });
  log(`kcp binary: ${kcp.path} (${kcp.version}) from ${kcp.source} in ${seconds(kcp.durationMs)}`);
  return async () => {
    const env = await KcpTestEnvironment.start({ binary: kcp.path, log });
    log(`kcp started and ready in ${seconds(env.startupMs)} at ${env.baseUrl}`);
    return env;
  };
}

/** The same for kube-apiserver, etcd and kube-controller-manager. */
async function prepareKube(): Promise<() => Promise<KubeTestEnvironment>> {
  const existing = process.env.KUBELOOM_KUBE_KUBECONFIG;
  if (existing) {
    return () => {
      log(`attaching to the kube-apiserver of ${existing}`);
      return KubeTestEnvironment.attach({ kubeconfigPath: existing });
    };
  }
  const paths: string[] = [];
  for (const component of ['kube-apiserver', 'etcd', 'kube-controller-manager'] as const) {
    const binary = await ensureKubeBinary(component, { log });
    log(
      `${component} binary: ${binary.path} (${binary.version}) from ${binary.source} in ${seconds(binary.durationMs)}`,
    );
    paths.push(binary.path);
  }
  const [kubeApiserver = '', etcd = '', kubeControllerManager = ''] = paths;
  const binaries: KubeBinaries = { kubeApiserver, etcd, kubeControllerManager };
  return async () => {
    const env = await KubeTestEnvironment.start({ name: 'e2e-shared', binaries, log });
    log(`kube-apiserver, etcd and kube-controller-manager ready in ${seconds(env.startupMs)}`);
    return env;
  };
}

/**
 * One real kcp and one real kube-apiserver (with etcd and kube-controller-manager) for the whole e2e run;
 * every test file creates its own workspaces or namespaces in them. Binaries are provided first, one after
 * the other (a first run on a fresh machine builds them from source, which needs both cores), then both
 * servers start in parallel. `KUBELOOM_KCP_KUBECONFIG` / `KUBELOOM_KUBE_KUBECONFIG` attach to running ones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertBuiltPackagesAreCurrent();
  const startKcp = await prepareKcp();
  const startKube = await prepareKube();
  const [kcpStart, kubeStart] = await Promise.allSettled([startKcp(), startKube()]);
  if (kcpStart.status === 'rejected' || kubeStart.status === 'rejected') {
    // Stop whichever did start, then report what did not.
    if (kcpStart.status === 'fulfilled') await kcpStart.value.stop();
    if (kubeStart.status === 'fulfilled') await kubeStart.value.stop();
    throw kcpStart.status === 'rejected' ? kcpStart.reason : (kubeStart as PromiseRejectedResult).reason;
  }
  const kcp = kcpStart.value;
  const kube = kubeStart.value;
  project.provide('kcp', kcp.connection);
  project.provide('kube', kube.connection);
  return async () => {
    await Promise.all([kcp.stop(), kube.stop()]);
  };
}
