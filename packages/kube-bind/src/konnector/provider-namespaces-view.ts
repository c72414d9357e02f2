import {
  type Client,
  type Cluster,
  type Controller,
  type InformerCluster,
  type KubeObject,
  type Logger,
  type ResourceDescriptor,
  WatchFailedError,
  newCluster,
} from '@kubeloom/core';
import { type APIServiceNamespace, APIServiceNamespaceResource } from '../api/apiservicenamespace.ts';
import type { ObjectKey } from './isolation.ts';
import type { ProviderSide } from './provider-side.ts';

/** One watched provider namespace. */
interface WatchedNamespace {
  readonly name: string;
  readonly consumerNamespace: string;
  readonly cluster: InformerCluster;
  readonly stop: AbortController;
}

/** A controller attached to the view, engaged with every watched namespace until its signal aborts. */
interface Attachment {
  readonly controller: Controller;
  readonly signal: AbortSignal;
}

/**
 * The provider as seen by a consumer whose credential may only read its own namespaces: the APIServiceNamespaces
 * in its cluster namespace say which provider namespace holds each consumer namespace's objects (their
 * `status.namespace`), and each such namespace gets informers of its own (`?watch` in that namespace
 * only), engaged as a cluster named `<prefix><namespace>`. Nothing is listed or watched across namespaces,
 * so the backend can grant the konnector its resources per namespace.
 */
export class ProviderNamespacesView implements ProviderSide {
  readonly client: Client;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #home: Cluster;
  readonly #namespaces = new Map<string, WatchedNamespace>();
  readonly #attachments = new Set<Attachment>();

  /**
   * Starts watching the APIServiceNamespaces of `clusterNamespace` (in that namespace only); provider
   * namespaces are watched as they are assigned, and no longer once their APIServiceNamespace goes.
   */
  constructor(options: {
    readonly client: Client;
    readonly clusterNamespace: string;
    /** Prefix of the engaged cluster names, unique per provider connection. */
    readonly prefix: string;
    readonly logger: Logger;
    readonly signal: AbortSignal;
  }) {
    this.client = options.client;
    this.#prefix = options.prefix;
    this.#logger = options.logger;
    this.#signal = options.signal;
    this.#home = newCluster(`${options.prefix}home`, options.client, {
      signal: options.signal,
      logger: options.logger,
      informerOptions: { namespace: options.clusterNamespace },
    });
    this.#home.cache.informer(APIServiceNamespaceResource).addHandler({
      onAdd: (asn) => this.#assigned(asn),
      onUpdate: (_, asn) => this.#assigned(asn),
      onDelete: (asn) => this.#released(asn),
    });
  }

  /** Whether `name` is one of this view's namespace clusters. */
  readonly isProviderCluster = (name: string): boolean =>
    name.startsWith(this.#prefix) && name !== `${this.#prefix}home`;

  /** The provider namespaces watched so far, with their consumer namespace. */
  get namespaces(): ReadonlyArray<{ provider: string; consumer: string }> {
    return [...this.#namespaces.values()].map((n) => ({ provider: n.name, consumer: n.consumerNamespace }));
  }

  /** The consumer namespace whose objects `providerNamespace` holds, if it is one of this consumer's. */
  consumerNamespaceOf(providerNamespace: string): string | undefined {
    return this.#namespaces.get(providerNamespace)?.consumerNamespace;
  }

  /** The provider namespace assigned to `consumerNamespace`, as far as the cache knows. */
  providerNamespaceOf(consumerNamespace: string): string | undefined {
    for (const n of this.#namespaces.values()) if (n.consumerNamespace === consumerNamespace) return n.name;
    return undefined;
  }

  /**
   * The provider namespaces that cannot be watched: an informer there has not listed and its last attempt
   * failed (a 403 until the backend's grant for the namespace is in place), with that error.
   */
  unwatched(): Array<{ provider: string; consumer: string; error: Error; code: number | undefined }> {
    const out: Array<{ provider: string; consumer: string; error: Error; code: number | undefined }> = [];
    for (const n of this.#namespaces.values()) {
      for (const informer of n.cluster.cache.informers()) {
        const error = informer.lastError;
        if (informer.hasSynced || !error) continue;
        out.push({
          provider: n.name,
          consumer: n.consumerNamespace,
          error,
          code: error instanceof WatchFailedError ? error.code : undefined,
        });
        break;
      }
    }
    return out;
  }

  async attach(controller: Controller, signal: AbortSignal): Promise<void> {
    const attachment = { controller, signal };
    this.#attachments.add(attachment);
    signal.addEventListener('abort', () => this.#attachments.delete(attachment), { once: true });
    for (const n of this.#namespaces.values()) await this.#engage(attachment, n);
  }

  cached<T extends KubeObject>(resource: ResourceDescriptor<T>, key: ObjectKey): T | undefined | 'unknown' {
    const watched = this.#namespaces.get(key.namespace);
    if (!watched) return 'unknown';
    const reader = watched.cluster.cache.reader(resource);
    if (!reader.hasSynced) return 'unknown';
    return reader.get(key.name, key.namespace);
  }

  #assigned(asn: APIServiceNamespace): void {
    const name = asn.status?.namespace;
    const consumerNamespace = asn.metadata.name ?? '';
    if (!name || this.#namespaces.has(name) || this.#signal.aborted) return;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, this.#signal]);
    const cluster = newCluster(`${this.#prefix}${name}`, this.client, {
      signal,
      logger: this.#logger,
      informerOptions: { namespace: name },
    });
    const watched: WatchedNamespace = { name, consumerNamespace, cluster, stop };
    this.#namespaces.set(name, watched);
    for (const attachment of this.#attachments) void this.#engage(attachment, watched);
  }

  #released(asn: APIServiceNamespace): void {
    const name = asn.status?.namespace;
    const watched = name ? this.#namespaces.get(name) : undefined;
    if (!watched) return;
    this.#namespaces.delete(watched.name);
    watched.stop.abort();
  }

  async #engage(attachment: Attachment, watched: WatchedNamespace): Promise<void> {
    if (attachment.signal.aborted || watched.stop.signal.aborted) return;
    try {
      await attachment.controller.engage(
        watched.cluster.name,
        watched.cluster,
        AbortSignal.any([attachment.signal, watched.stop.signal]),
      );
    } catch (error) {
      this.#logger.warn({ err: error, providerNamespace: watched.name }, 'cannot watch a provider namespace');
    }
  }
}
