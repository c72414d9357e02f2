import { clusterOf, jsonLines, resourcePath, type RawWatchEvent } from '@kubeloom/core';
import { type KcpWorkspace, wildcardUrl } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { type Widget, WidgetResource, widgetSchema } from './widgets.ts';

/** What the smoke scenario saw. */
export interface SmokeResult {
  provider: KcpWorkspace;
  consumers: KcpWorkspace[];
  /** The virtual-workspace endpoint URL from the APIExportEndpointSlice. */
  endpointUrl: string;
  /** Objects returned by one LIST on `<endpoint>/clusters/*`. */
  listed: Widget[];
  /** The ADDED event the WATCH on `<endpoint>/clusters/*` delivered for the object created after the list. */
  watched: Widget;
}

/**
 * A provider workspace exports `widgets.example.io`; two consumers bind it and each creates a widget with the
 * same namespace/name. One wildcard LIST through the export's virtual workspace returns both, told apart by
 * `kcp.io/cluster`; a WATCH from the list's resourceVersion then sees a third widget created afterwards.
 */
export async function runSmokeScenario(
  kcp: KcpTestEnvironment,
  log: (line: string) => void = () => {},
): Promise<SmokeResult> {
  const exportName = 'widgets.example.io';
  const provider = await kcp.createWorkspace({ generateName: 'smoke-provider-' });
  log(`provider workspace ${provider.path} (logical cluster ${provider.clusterName})`);
  await kcp.createApiExport({ workspace: provider.path, name: exportName, schemas: [widgetSchema] });
  log(`APIExport ${exportName} created`);

  const consumers = await Promise.all([
    kcp.createWorkspace({ generateName: 'smoke-consumer-' }),
    kcp.createWorkspace({ generateName: 'smoke-consumer-' }),
  ]);
  for (const consumer of consumers) {
    await kcp.bindApiExport({ workspace: consumer.path, exportPath: provider.path, exportName });
    await kcp.clientFor(consumer.path).create(WidgetResource, {
      metadata: { name: 'demo', namespace: 'default' },
      spec: { size: 1, colour: 'blue' },
    });
    log(`consumer ${consumer.path} (${consumer.clusterName}) bound the export and created default/demo`);
  }

  const [endpointUrl] = await kcp.endpointUrls(provider.path, exportName);
  if (!endpointUrl) throw new Error('the endpoint slice lists no URL');
  log(`virtual workspace endpoint ${endpointUrl}`);
  const everywhere = kcp.client.withServer(wildcardUrl(endpointUrl));
  const list = await everywhere.list(WidgetResource);
  for (const w of list.items) log(`LIST  ${clusterOf(w)}|${w.metadata.namespace}/${w.metadata.name}`);

  const watch = await everywhere.rest.stream({
    path: resourcePath(WidgetResource),
    query: {
      watch: true,
      resourceVersion: list.metadata.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 60,
    },
  });
  try {
    const first = consumers[0];
    await kcp.clientFor(first.path).create(WidgetResource, {
      metadata: { name: 'third', namespace: 'default' },
      spec: { size: 3 },
    });
    for await (const event of jsonLines<RawWatchEvent<Widget>>(watch.body)) {
      if (event.type === 'ERROR') throw new Error(`the watch failed: ${event.object.message}`);
      if (event.type === 'ADDED' && event.object.metadata.name === 'third') {
        log(`WATCH ADDED ${clusterOf(event.object)}|default/third`);
        return { provider, consumers, endpointUrl, listed: list.items, watched: event.object };
      }
    }
    throw new Error('the watch ended before the third widget arrived');
  } finally {
    watch.close();
  }
}
