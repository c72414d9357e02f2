#!/usr/bin/env node
/**
 * `./run kube:install` / `kubeloom-kube-install`: makes sure kube-apiserver, etcd and kube-controller-manager
 * are available (see ensureKubeBinaries) and prints their paths on stdout as `VARIABLE=path` lines, the
 * variables that pin them for later runs; progress, sources and timings go to stderr.
 */
import { BinaryInstallError } from './binary-installer.ts';
import { type KubeComponent, ensureKubeBinary } from './kube-binaries.ts';

const components: [KubeComponent, string][] = [
  ['kube-apiserver', 'KUBE_APISERVER_BIN'],
  ['etcd', 'ETCD_BIN'],
  ['kube-controller-manager', 'KUBE_CONTROLLER_MANAGER_BIN'],
];

try {
  const lines: string[] = [];
  for (const [component, variable] of components) {
    const binary = await ensureKubeBinary(component);
    process.stderr.write(
      `${component}: ${binary.version} from ${binary.source} in ${(binary.durationMs / 1000).toFixed(2)} s\n`,
    );
    lines.push(`${variable}=${binary.path}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof BinaryInstallError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
