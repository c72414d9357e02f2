/**
 * The PublishedResource CRD the syncagent e2e tests install on the shared service cluster: the v0.2 schema
 * the workshop's manifests are written against, plus what the agent supports beyond v0.2 (status
 * conditions; `cel` mutation steps; `cleanup`, `watch` and `syncStatus` on related entries, which may also
 * take the current group/version/resource shape; `synchronization.enabled`), kept by preserving unknown
 * fields there instead of pruning them. Every syncagent test file installs this same
 * object, so files running in parallel never narrow each other's schema.
 */
import { join } from 'node:path';
import { type CustomResourceDefinition, loadManifests } from '@kubeloom/core';

const testdata = join(import.meta.dirname, '../../examples/syncagent/testdata');

type Schema = { properties: Record<string, Schema>; items?: Schema } & Record<string, unknown>;

/** The PublishedResource CRD object (v0.2 schema, widened as described above). */
export async function publishedResourceCrdObject(): Promise<CustomResourceDefinition> {
  const [crd] = (await loadManifests(
    join(testdata, 'syncagent.kcp.io_publishedresources.v0.2.0.yaml'),
  )) as unknown as [CustomResourceDefinition];
  const version = crd.spec?.versions?.[0] as unknown as { schema: { openAPIV3Schema: Schema } };
  const root = version.schema.openAPIV3Schema.properties;
  (root.status as Schema).properties.conditions = {
    type: 'array',
    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  } as unknown as Schema;
  const spec = (root.spec as Schema).properties;
  const mutationSteps = (spec.mutation as Schema).properties.spec?.items as Schema;
  mutationSteps['x-kubernetes-preserve-unknown-fields'] = true;
  const relatedEntries = (spec.related as Schema).items as Schema;
  relatedEntries['x-kubernetes-preserve-unknown-fields'] = true;
  // The current related shape (group/version/resource and `object`) next to v0.2's kind/reference.
  relatedEntries.required = ['identifier', 'origin'];
  spec.synchronization = {
    type: 'object',
    properties: { enabled: { type: 'boolean' } },
  } as unknown as Schema;
  return crd;
}

/**
 * A namespaced Widget CRD with a status subresource: a related resource whose status `syncStatus` carries.
 * Its spec and status take any fields.
 */
export const widgetCrd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.e2e.kubeloom.dev' },
  spec: {
    group: 'e2e.kubeloom.dev',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
} as unknown as CustomResourceDefinition;
