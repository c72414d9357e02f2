import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageDirectoryOf } from '@kubeloom/core';

/**
 * Where the kube-bind.io CRDs of this package are (its `crds/` folder, next to `src/` and `dist/`), so a
 * test or an installer can hand them to `installCrds`.
 */
export const kubeBindCrdsDir: string = join(packageDirectoryOf(import.meta.url), 'crds') + '/';

/** Which side of a binding a CRD belongs on. */
export type KubeBindSide = 'consumer' | 'provider';

/** The kube-bind CRD that belongs on the consumer; every other one belongs on the provider. */
const consumerCrds = new Set(['kube-bind.io_apiservicebindings.yaml']);

/** The CRD files for one side: the consumer needs APIServiceBindings only, the provider the rest. */
export function kubeBindCrdFiles(side: KubeBindSide): string[] {
  return readdirSync(kubeBindCrdsDir)
    .filter((f) => f.endsWith('.yaml') && consumerCrds.has(f) === (side === 'consumer'))
    .toSorted()
    .map((f) => `${kubeBindCrdsDir}${f}`);
}
