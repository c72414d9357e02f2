/**
 * Garbage-collects what the agent left on the service cluster for a workspace that unbound the export
 * (upstream leaves it forever, api-syncagent issue #113): once a logical cluster has had no APIBinding in
 * the export's virtual workspace for a grace period, the copies in the namespaces the agent created for it
 * are deleted, then those namespaces, then its last-known-state Secrets. A workspace that is merely not
 * engaged (a binding that is not Ready, the agent restarting) is never collected: only the absence of any
 * binding, seen in a complete live listing, counts, and any error skips the round.
 */
import {
  type Client,
  type Logger,
  NamespaceResource,
  type ResourceDescriptor,
  type Runnable,
  SecretResource,
  clusterOf,
  isNotFound,
} from '@kubeloom/core';
import { APIBindingResource, wildcardUrl } from '@kubeloom/kcp-provider';
import { agentNameKey } from './api-resource-schema.ts';
import { objectStateLabel, remoteObjectClusterLabel } from './object-identity.ts';

/** For deletes: an object that is already gone is fine. */
function ignoreGone(error: unknown): void {
  if (!isNotFound(error)) throw error;
}

/** Default time a workspace must stay unbound before its service-side objects are deleted. */
export const defaultStaleGraceMs = 10 * 60_000;

/** What the collector needs. */
export interface StaleNamespaceCollectorOptions {
  readonly service: Client;
  /** kcp client (any workspace; only its credentials and server are used, pointed at the endpoints). */
  readonly kcp: Client;
  /** The export's virtual-workspace endpoint URLs (the provider's `endpointUrls()`). */
  readonly endpointUrls: () => string[];
  readonly agentName: string;
  /** The agent's namespace, where the state Secrets are. */
  readonly namespace: string;
  /** The local kinds the agent syncs now (copies are deleted explicitly, not only through the namespace). */
  readonly resources: () => ResourceDescriptor[];
  readonly graceMs?: number;
  /** How often to look. Default a tenth of the grace period, at most a minute. */
  readonly intervalMs?: number;
  readonly logger?: Logger;
}

/** The runnable; `collected` lists the logical clusters cleaned up so far (for tests and logs). */
export class StaleNamespaceCollector implements Runnable {
  readonly name = 'syncagent-stale-namespace-collector';
  readonly needLeaderElection = true;
  readonly collected: string[] = [];
  readonly #options: StaleNamespaceCollectorOptions;
  readonly #unboundSince = new Map<string, number>();

  constructor(options: StaleNamespaceCollectorOptions) {
    this.#options = options;
  }

  async start(signal: AbortSignal): Promise<void> {
    const grace = this.#options.graceMs ?? defaultStaleGraceMs;
    const interval = this.#options.intervalMs ?? Math.min(60_000, Math.max(1_000, grace / 10));
    while (!signal.aborted) {
      try {
        await this.collectOnce(Date.now(), grace);
      } catch (error) {
        this.#options.logger?.warn({ err: error }, 'stale namespace collection skipped this round');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  /** One round: note unbound clusters, collect those unbound for longer than `graceMs`. */
  async collectOnce(now: number, graceMs: number): Promise<void> {
    const { service, agentName } = this.#options;
    const namespaces = (
      await service.list(NamespaceResource, {
        labelSelector: `${agentNameKey}=${agentName},${remoteObjectClusterLabel}`,
      })
    ).items;
    const clusters = new Set(
      namespaces.map((ns) => ns.metadata?.labels?.[remoteObjectClusterLabel] ?? '').filter(Boolean),
    );
    if (clusters.size === 0) return;
    const urls = this.#options.endpointUrls();
    if (urls.length === 0) return; // nothing known about bindings: never collect blind
    const bound = new Set<string>();
    for (const url of urls) {
      const bindings = await this.#options.kcp.withServer(wildcardUrl(url)).list(APIBindingResource);
      for (const binding of bindings.items) bound.add(clusterOf(binding));
    }
    for (const cluster of clusters) {
      if (bound.has(cluster)) {
        this.#unboundSince.delete(cluster);
        continue;
      }
      const since = this.#unboundSince.get(cluster) ?? now;
      this.#unboundSince.set(cluster, since);
      if (now - since < graceMs) continue;
      await this.#collect(
        cluster,
        namespaces
          .filter((ns) => ns.metadata?.labels?.[remoteObjectClusterLabel] === cluster)
          .map((ns) => ns.metadata?.name ?? ''),
      );
      this.#unboundSince.delete(cluster);
    }
  }

  async #collect(cluster: string, namespaces: string[]): Promise<void> {
    const { service } = this.#options;
    const selector = `${remoteObjectClusterLabel}=${cluster}`;
    for (const namespace of namespaces) {
      for (const resource of this.#options.resources()) {
        if (!resource.namespaced) continue;
        await service.deleteCollection(resource, { namespace, labelSelector: selector }).catch(ignoreGone);
      }
      await service.delete(NamespaceResource, namespace).catch(ignoreGone);
    }
    for (const resource of this.#options.resources()) {
      if (!resource.namespaced)
        await service.deleteCollection(resource, { labelSelector: selector }).catch(ignoreGone);
    }
    await service
      .deleteCollection(SecretResource, {
        namespace: this.#options.namespace,
        labelSelector: `${objectStateLabel}=true,${selector}`,
      })
      .catch(ignoreGone);
    this.collected.push(cluster);
    this.#options.logger?.info(
      { cluster, namespaces },
      `workspace ${cluster} has had no binding of the export for the grace period: deleted its copies, namespaces and state`,
    );
  }
}
