/**
 * The Widget controller: for every Widget in every workspace that binds the export, keeps a ConfigMap
 * `<widget>-message` holding `spec.message` (owned by the Widget, so kcp deletes it with the Widget) and
 * records it in the Widget's status.
 */
import {
  ConfigMapResource,
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  createOrUpdate,
  setControllerReference,
} from '@kubeloom/core';
import { WidgetResource } from './api.ts';

/** The controller; pass the manager's logger and metrics in `options`. */
export function widgetController(options: ControllerOptions = {}): Controller {
  return new ControllerBuilder('widget')
    .for(WidgetResource)
    .owns(ConfigMapResource)
    .withOptions(options)
    .build(async (request, { cluster, log, signal }) => {
      // Read from the shared cache: no request to kcp.
      const widget = cluster.cache.reader(WidgetResource).get(request.name, request.namespace);
      if (!widget) return; // deleted; kcp's garbage collector deletes the ConfigMap it owns
      const configMapName = `${request.name}-message`;
      const { outcome } = await createOrUpdate(
        cluster.client,
        ConfigMapResource,
        { name: configMapName, namespace: request.namespace },
        (cm) => {
          setControllerReference(widget, cm, WidgetResource);
          cm.data = { message: widget.spec.message };
        },
        { signal },
      );
      if (outcome !== 'unchanged') log.info({ configMap: configMapName, outcome }, 'message written');
      const generation = widget.metadata?.generation;
      if (widget.status?.configMapName === configMapName && widget.status.observedGeneration === generation) {
        return;
      }
      await cluster.client.updateStatus(
        WidgetResource,
        {
          ...widget,
          status: { configMapName, ...(generation !== undefined ? { observedGeneration: generation } : {}) },
        },
        { signal },
      );
    });
}
