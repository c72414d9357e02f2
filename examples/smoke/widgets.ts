import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';
import type { APIResourceSchema } from '@kubeloom/kcp-provider';

/** The small API the smoke demo exports: `widgets.example.io/v1`, namespaced, with a size and a colour. */
export interface Widget extends KubeObject {
  metadata: ObjectMeta;
  spec?: { size?: number; colour?: string };
}

/** Typed descriptor for widgets. */
export const WidgetResource = defineResource<Widget>({
  group: 'example.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** The APIResourceSchema behind the export. */
export const widgetSchema: APIResourceSchema = {
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIResourceSchema',
  metadata: { name: 'v1.widgets.example.io' },
  spec: {
    group: 'example.io',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: { size: { type: 'integer', minimum: 0 }, colour: { type: 'string' } },
            },
            status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    ],
  },
};
