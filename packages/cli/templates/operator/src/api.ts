/**
 * The project's own API: the Widget kind, served to consumer workspaces by an APIExport. The CRD below is
 * its definition; `kubeloom gen apiresourceschema` or `toAPIResourceSchema` turns it into the kcp
 * APIResourceSchema the export points at.
 */
import { type KubeObject, defineResource } from '@kubeloom/core';
import type { PermissionClaim } from '@kubeloom/kcp-provider';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';

/** The API group of this project's kinds. */
export const API_GROUP = '__API_GROUP__';

/** The APIExport's name (kcp names its endpoint slice the same). */
export const EXPORT_NAME = API_GROUP;

/** A Widget: the operator writes `spec.message` into a ConfigMap next to it and reports it in status. */
export interface Widget extends KubeObject {
  spec: { message: string };
  status?: { configMapName?: string; observedGeneration?: number };
}

/** `__API_GROUP__/v1alpha1` widgets, namespaced, with the status subresource. */
export const WidgetResource = defineResource<Widget>({
  group: API_GROUP,
  version: 'v1alpha1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** The Widget CRD: the schema kcp validates Widgets with. */
export const widgetCrd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${API_GROUP}` },
  spec: {
    group: API_GROUP,
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['message'],
                properties: { message: { type: 'string', description: 'Written into the ConfigMap.' } },
              },
              status: {
                type: 'object',
                properties: {
                  configMapName: { type: 'string' },
                  observedGeneration: { type: 'integer', format: 'int64' },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/**
 * What the operator may do in consumer workspaces besides its own Widgets: manage ConfigMaps. Bindings
 * accept claims with exactly these verbs.
 */
export const permissionClaims: PermissionClaim[] = [
  {
    group: '',
    resource: 'configmaps',
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
];
