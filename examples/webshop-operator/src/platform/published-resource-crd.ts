import { type CustomResourceDefinition, loadManifests } from '@kubeloom/core';
import { syncagentTestdata } from './syncagent-testdata.ts';

type Schema = { properties: Record<string, Schema>; items?: Schema } & Record<string, unknown>;

/**
 * The PublishedResource CRD the team clusters get: the v0.2 schema the workshop's manifests are written
 * against, with related entries keeping the fields the agent supports beyond v0.2 (`cleanup`, `watch`),
 * which v0.2's schema would prune. The platform needs `cleanup` so a tenant's credentials Secret goes
 * with its database or search instance.
 */
export async function publishedResourceCrd(): Promise<CustomResourceDefinition> {
  const [crd] = (await loadManifests(
    syncagentTestdata('syncagent.kcp.io_publishedresources.v0.2.0.yaml'),
  )) as unknown as [CustomResourceDefinition];
  const version = crd.spec?.versions?.[0] as unknown as { schema: { openAPIV3Schema: Schema } };
  const spec = version.schema.openAPIV3Schema.properties.spec as Schema;
  const relatedEntries = (spec.properties.related as Schema).items as Schema;
  relatedEntries['x-kubernetes-preserve-unknown-fields'] = true;
  return crd;
}
