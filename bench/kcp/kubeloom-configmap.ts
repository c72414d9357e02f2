/**
 * The kubeloom side of the side-by-side benchmark: the same program as kcp's Go multicluster-provider
 * `examples/apiexport` — the APIExport provider, a ConfigMap controller that reads the object from the
 * cache, logs "Reconciling ConfigMap" with the cluster, name and uid, and records an Event. The controller
 * logs through the manager's logger and reports to its metrics (what `Manager.add` hands it).
 *
 *   KUBECONFIG=<provider workspace kubeconfig> node bench/kcp/kubeloom-configmap.ts --endpointslice <name>
 *
 * On SIGUSR2 it writes one line `{"heapReport":{…}}` to stderr: `process.memoryUsage()` after two full
 * garbage collections when Node runs with `--expose-gc` (the benchmark's heap figure), else as it is.
 */
import { parseArgs } from 'node:util';
import { Client, ConfigMapResource, ControllerBuilder, JsonLogger, Manager } from '@kubeloom/core';
import { APIExportProvider } from '@kubeloom/kcp-provider';

const { values } = parseArgs({
  options: { endpointslice: { type: 'string', default: 'examples-apiexport-multicluster' } },
});
const logger = new JsonLogger();
const client = Client.fromKubeConfig();
const provider = new APIExportProvider({ client, endpointSlice: values.endpointslice, logger });
const manager = new Manager({ local: client, provider, logger });
manager.add(
  new ControllerBuilder('kcp-configmap-controller')
    .for(ConfigMapResource)
    .build(async (req, { cluster, log }) => {
      const cm = cluster.cache.reader(ConfigMapResource).get(req.name, req.namespace);
      if (!cm) return; // deleted
      log.info(
        { cluster: req.cluster, name: cm.metadata?.name, uuid: cm.metadata?.uid },
        'Reconciling ConfigMap',
      );
      cluster.events.record(cm, {
        type: 'Normal',
        reason: 'normal',
        message: `ConfigMap ${cm.metadata?.name} reconciled`,
      });
    }),
);
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.stderr.write(`${JSON.stringify({ heapReport: { ...process.memoryUsage(), afterGc: !!gc } })}\n`);
});
manager.installSignalHandlers();
await manager.start();
