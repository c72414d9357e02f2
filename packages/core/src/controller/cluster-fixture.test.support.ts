import type { Cluster, ClusterName } from '../cluster/cluster.ts';
import { InformerCache } from '../cluster/informer-cache.ts';
import type { Client } from '../client/client.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import type { FakeApiServer } from '../testing/fake-api-server.ts';

// Test support for controller, source and helper tests. It is not shipped: the package's `files` exclude
// `*.test.*`, and vitest runs only `*.test.ts`.

/** Informer settings that make tests quick to recover from injected failures. */
const fastInformers = { backoff: { initialMs: 10, maxMs: 50 } };

/**
 * A cluster of `server` with its own informer cache. With a scope it is kcp-style: the client is scoped to
 * `/clusters/<scope>` and objects carry `kcp.io/cluster: <scope>`; with scope `''` it is the server's plain
 * (unprefixed) cluster, like a manager's local cluster. Engage it under any name (it need not equal the
 * scope). Its informers stop when `signal` aborts.
 */
export function fakeCluster(
  server: FakeApiServer,
  name: ClusterName,
  signal: AbortSignal,
  scope: string = name,
): Cluster & { client: Client; cache: InformerCache } {
  const client = scope ? server.client().withServer(`${server.url}/clusters/${scope}`) : server.client();
  return {
    name,
    client,
    cache: new InformerCache(client, signal, { scope, ...fastInformers }),
    events: { record() {} },
  };
}

/** A logger that keeps its lines (`level: message` plus bindings) for assertions. */
export function memoryLogger(): Logger & {
  lines: Array<{ level: string; msg: string; bindings: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; msg: string; bindings: Record<string, unknown> }> = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (obj: object | string, msg?: string): void => {
        if (typeof obj === 'string') lines.push({ level, msg: obj, bindings });
        else lines.push({ level, msg: msg ?? '', bindings: { ...bindings, ...obj } });
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}

/** A cluster with no server behind it, for controllers fed by `enqueue` only: any use of it throws. */
export function stubCluster(name: ClusterName): Cluster {
  const unused = (): never => {
    throw new Error(`stub cluster ${name} has no client or cache`);
  };
  return {
    name,
    get client(): Client {
      return unused();
    },
    cache: { scope: name, informer: unused, reader: unused },
    events: { record() {} },
  };
}

/** Controller metrics that count every call as `method:arg,arg`, e.g. `reconcileFinished:error,c1`. */
export function recordingMetrics(): ControllerMetrics & { calls: string[]; count(call: string): number } {
  const calls: string[] = [];
  return {
    calls,
    count: (call) => calls.filter((c) => c === call).length,
    reconcileFinished: (_controller, outcome, _seconds, cluster) =>
      calls.push(`reconcileFinished:${outcome}${cluster !== undefined ? `,${cluster}` : ''}`),
    reconcileError: (_controller, terminal) => calls.push(`reconcileError:${terminal}`),
    reconcileTimeout: () => calls.push('reconcileTimeout'),
    reconcilePanic: () => calls.push('reconcilePanic'),
    activeWorkers: (_controller, delta) => calls.push(`activeWorkers:${delta}`),
    maxConcurrentReconciles: (_controller, value) => calls.push(`maxConcurrentReconciles:${value}`),
    workQueue: () => undefined,
  };
}
