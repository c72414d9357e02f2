import {
  type Client,
  CustomResourceDefinitionResource,
  applyManifests,
  loadManifests,
  waitFor,
} from '@kubeloom/core';
import { type KubeBindSide, kubeBindCrdFiles } from './crds.ts';

/**
 * Installs (or upgrades, by server-side apply) the kube-bind CRDs of one side and waits until each is
 * served: the consumer's APIServiceBinding CRD, which the konnector and `kubeloom bind` need, or the
 * provider's five, which a backend needs.
 */
export async function installKubeBindCrds(
  client: Client,
  side: KubeBindSide,
  timeoutMs = 60_000,
): Promise<void> {
  const manifests = await loadManifests(kubeBindCrdFiles(side));
  await applyManifests(client, manifests, { fieldManager: 'kubeloom-kube-bind', force: true });
  for (const manifest of manifests) {
    const name = manifest.metadata?.name ?? '';
    await waitFor(
      async () => {
        const crd = await client.get(CustomResourceDefinitionResource, name);
        return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      },
      { what: `CustomResourceDefinition ${name} to be established`, timeoutMs },
    );
  }
}
