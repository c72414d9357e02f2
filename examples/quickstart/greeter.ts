/**
 * The quickstart controller: greets every labelled ConfigMap in every workspace that binds the export.
 * This file is all the controller code there is; main.ts wires it to kcp.
 */
import {
  type ConfigMap,
  ConfigMapResource,
  ControllerBuilder,
  type Controller,
  type ControllerOptions,
  predicateFn,
} from '@kubeloom/core';

/** ConfigMaps carrying this label get a greeting. */
export const GREET_LABEL = 'quickstart.kubeloom.dev/greet';

export function greeterController(options: ControllerOptions = {}): Controller {
  return new ControllerBuilder('greeter')
    .for(ConfigMapResource, {
      predicates: [predicateFn((cm: ConfigMap) => cm.metadata?.labels?.[GREET_LABEL] === 'true')],
    })
    .withOptions({ maxConcurrentReconciles: 4, ...options })
    .build(async (req, { cluster, log }) => {
      // Read from the workspace's view of the shared cache: no request to kcp.
      const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
      if (!cm || cm.data?.greeting) return;
      // Write through the export's virtual workspace, into this workspace only.
      await cluster.client.patch(
        ConfigMapResource,
        req.name,
        { data: { greeting: `Hello from kubeloom, workspace ${req.cluster}!` } },
        { namespace: req.namespace },
      );
      cluster.events.record(cm, { type: 'Normal', reason: 'Greeted', message: 'added a greeting' });
      log.info('greeted');
    });
}
