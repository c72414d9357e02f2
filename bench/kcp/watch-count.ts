/**
 * Open watch requests on a kcp, counted by kcp itself: its `/metrics` gauge
 * `apiserver_longrunning_requests{verb="WATCH"}`, which the apiserver's request instrumentation keeps per
 * group, resource and scope for every watch it serves — over HTTP/1.1 or HTTP/2 alike, and for the
 * APIExport virtual workspace too (kcp instruments its virtual-workspace handlers with the same
 * function). kcp's own controllers hold watches as well, so a program's watches are the difference
 * between a reading while it runs and one taken before it started.
 *
 * `/metrics` is for kcp's shard admin (`system:masters`), whose credentials kcp writes to
 * `admin.kubeconfig` (context `shard-base`) in its root directory on every start.
 */
import { join } from 'node:path';
import { Client } from '@kubeloom/core';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';

/** Open watches per `group/resource (scope)`. */
export type WatchCounts = Map<string, number>;

/** Reads kcp's open watch gauge (of a kcp this process started: it needs the shard admin's credentials). */
export async function openWatches(kcp: KcpTestEnvironment): Promise<WatchCounts> {
  if (!kcp.rootDir)
    throw new Error(
      'counting watches needs a kcp started by this process (its admin.kubeconfig), not an attached one',
    );
  const shardAdmin = Client.fromKubeConfig({
    path: join(kcp.rootDir, 'admin.kubeconfig'),
    context: 'shard-base',
  });
  const stream = await shardAdmin.rest.stream({ path: '/metrics' });
  let text = '';
  stream.body.setEncoding('utf8');
  for await (const chunk of stream.body) text += chunk as string;
  stream.close();
  await shardAdmin.rest.pool.close();
  return parseOpenWatches(text);
}

/** Picks `apiserver_longrunning_requests{…verb="WATCH"…}` out of a Prometheus text exposition. */
export function parseOpenWatches(metrics: string): WatchCounts {
  const counts: WatchCounts = new Map();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_longrunning_requests{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    if (labels.verb !== 'WATCH') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!value) continue;
    const key = `${labels.group ? `${labels.group}/` : ''}${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''} (${labels.scope})`;
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

/** `after - before` per key, leaving out keys that did not change. */
export function watchesAdded(before: WatchCounts, after: WatchCounts): Record<string, number> {
  const added: Record<string, number> = {};
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    if (delta !== 0) added[key] = delta;
  }
  return added;
}
