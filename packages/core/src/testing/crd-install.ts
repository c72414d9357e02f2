import { type CustomResourceDefinition, CustomResourceDefinitionResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { describeOrigin } from '../manifests/manifest-error.ts';
import { loadManifests, manifestOrigin } from '../manifests/parse-manifests.ts';
import { waitFor } from '../util/wait-for.ts';

/** A CRD to install: a path of a YAML or JSON file (one or more documents), or the object itself. */
export type CrdSource = string | CustomResourceDefinition;

/** Field manager of the server-side applies that install CRDs. */
const FIELD_MANAGER = 'kubeloom-test-environment';

/**
 * Applies CRDs (server-side apply, so re-installing an edited file updates it) and waits until every one
 * is Established, i.e. its resources are served. Files may hold several documents; each must be a
 * CustomResourceDefinition.
 */
export async function installCrds(
  client: Client,
  sources: readonly CrdSource[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const crds: CustomResourceDefinition[] = [];
  for (const source of sources) {
    if (typeof source === 'string') crds.push(...(await readCrdFile(source)));
    else crds.push(source);
  }
  for (const crd of crds) {
    await client.apply(CustomResourceDefinitionResource, crd, { fieldManager: FIELD_MANAGER, force: true });
  }
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    let conditions = '';
    await waitFor(
      async () => {
        const live = await client.get(CustomResourceDefinitionResource, name);
        const list = live.status?.conditions ?? [];
        conditions = list.map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join(', ');
        return list.some((c) => c.type === 'Established' && c.status === 'True');
      },
      {
        what: `CustomResourceDefinition ${name} to be Established`,
        timeoutMs: options.timeoutMs ?? 30_000,
        describe: () => conditions || 'no conditions yet',
      },
    );
  }
}

/** The CRDs of a file; anything else in it is refused with its place, as the manifest loader reports it. */
async function readCrdFile(path: string): Promise<CustomResourceDefinition[]> {
  const manifests = await loadManifests(path);
  for (const manifest of manifests) {
    if (manifest.kind !== 'CustomResourceDefinition') {
      const origin = manifestOrigin(manifest);
      throw new Error(
        `${origin ? describeOrigin(origin) : path} is a ${manifest.kind}, not a CustomResourceDefinition; installCrds installs only CRDs`,
      );
    }
  }
  return manifests as CustomResourceDefinition[];
}
