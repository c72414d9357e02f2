import type { Subscription } from 'rxjs';
import type { Client } from '../client/client.ts';
import { parseLabelSelector } from '../client/label-selector.ts';
import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { WaitTimeoutError } from '../util/wait-for.ts';
import type { WatchEvent } from '../watch/watch-event.ts';
import { ResourceNotServedError } from '../watch/watch-errors.ts';
import { type WatcherOptions, watchResource } from '../watch/watcher.ts';
import { type CacheListOptions, ScopedCache } from './scoped-cache.ts';
import { type ClusterOfFunc, type IndexFunc, Store } from './store.ts';

/** The longest delay setTimeout honours; it fires immediately for anything longer. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Callbacks for changes in an informer's store. They run synchronously: keep them cheap (enqueue work). */
export interface EventHandler<T extends KubeObject = KubeObject> {
  /** A new object, or (with `initial` true) one replayed or found by the initial list. */
  onAdd?(object: T, initial: boolean): void;
  /** An object changed (its resourceVersion differs). */
  onUpdate?(oldObject: T, newObject: T): void;
  /** An object was deleted, or vanished during a relist; `object` is its last known state. */
  onDelete?(object: T): void;
}

/** A handler registration; `remove()` stops delivery. */
export interface HandlerRegistration {
  /** Stops delivering events to the handler; safe to call more than once. */
  remove(): void;
}

/** Options for a {@link SharedInformer}. */
export interface InformerOptions<T extends KubeObject = KubeObject> extends WatcherOptions {
  /**
   * Applied to every object before it is stored. Default: drop `metadata.managedFields`, which is often
   * half an object's size and useless to controllers. The object may be modified in place.
   */
  transform?: (object: T) => T;
  /**
   * Told about watch errors (the informer keeps going) and about exceptions thrown by handlers. A watch
   * error that repeats the previous one of the same outage is not told again (see {@link
   * SharedInformer.lastError} for the current one), so a server that stays down costs one log line, not
   * one per retry. Watch errors are `WatchFailedError`s naming resource and URL; a 404 is a
   * `ResourceNotServedError`.
   */
  onError?: (error: Error) => void;
  /**
   * Which cluster objects belong to. Default: their `kcp.io/cluster` annotation, right for a wildcard view
   * of many clusters. An informer of one cluster gives a constant (see `InformerCache`).
   */
  clusterOf?: ClusterOfFunc;
}

/** Default transform: strips `metadata.managedFields`. */
export function stripManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
  return object;
}

/**
 * One watcher feeding one store, shared by every controller that needs the resource.
 *
 * Handlers register for one cluster or for all; delivering an event costs one map lookup plus one call per
 * interested handler, however many clusters and handlers exist. A handler added late is first replayed the
 * objects it is interested in (for a cluster handler: only that cluster's part of the store).
 * Objects are keyed `cluster|namespace/name`, so the same name in two kcp workspaces never collides.
 */
export class SharedInformer<T extends KubeObject = KubeObject> {
  /** The cached objects, kept up to date by the watch; read it instead of the API server. */
  readonly store: Store<T>;
  /** The resource this informer lists and watches. */
  readonly resource: ResourceDescriptor<T>;
  readonly #client: Client;
  readonly #options: InformerOptions<T>;
  readonly #transform: (object: T) => T;
  readonly #byCluster = new Map<string, Set<EventHandler<T>>>();
  readonly #allClusters = new Set<EventHandler<T>>();
  #subscription: Subscription | undefined;
  #synced = false;
  /** Resolved once the first list is stored; every {@link waitForSync} shares it instead of polling. */
  readonly #firstSync = Promise.withResolvers<void>();
  #relistSeen: Set<string> | undefined;
  #lastError: Error | undefined;
  #lastRelistReason: string | undefined;

  constructor(client: Client, resource: ResourceDescriptor<T>, options: InformerOptions<T> = {}) {
    this.#client = client;
    this.resource = resource;
    this.#options = options;
    this.#transform = options.transform ?? stripManagedFields;
    this.store = new Store<T>(options.clusterOf ? { clusterOf: options.clusterOf } : {});
  }

  /** Starts listing and watching (idempotent). Stops when `signal` aborts or {@link stop} is called. */
  start(signal?: AbortSignal): void {
    if (this.#subscription || signal?.aborted) return;
    this.#subscription = watchResource(this.#client, this.resource, this.#options).subscribe((event) =>
      this.#onEvent(event),
    );
    signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Stops the watch. The store keeps its contents. */
  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  /** Whether the informer is running. */
  get running(): boolean {
    return this.#subscription !== undefined;
  }

  /** True once the first list has been stored. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /**
   * The latest watch error, if any (cleared once objects flow again: a list, or a watch event). Usually a
   * `WatchFailedError` (resource, URL and phase as fields), a `ResourceNotServedError` when the server
   * does not serve the resource, or a `WatchStalledError` when a silent connection was given up.
   */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /**
   * The error keeping this informer from listing, when it is that the server does not serve the resource
   * (404: CRD not installed, APIExport not bound or not exported); for a manager's `/readyz`.
   */
  get resourceNotServed(): ResourceNotServedError | undefined {
    return this.#lastError instanceof ResourceNotServedError ? this.#lastError : undefined;
  }

  /** Why the last relist happened (e.g. `410 Gone` for a compacted resourceVersion); undefined before any. */
  get lastRelistReason(): string | undefined {
    return this.#lastRelistReason;
  }

  /** Resolves once the first list is stored. */
  waitForSync(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (this.#synced) return Promise.resolve();
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? 60_000;
    // One shared promise rather than a poll per waiter: a wildcard informer behind 100,000 engaged
    // workspaces has 100,000 waiters, and polling each every 20 ms kept its list from being stored at all.
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      };
      const abort = (): void => {
        settle();
        reject(signal?.reason);
      };
      // setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days), so a longer timeout (callers
      // pass a year, or Infinity, to mean "until aborted") gets no timer at all.
      const timer =
        timeoutMs > MAX_TIMER_DELAY_MS
          ? undefined
          : setTimeout(() => {
              settle();
              const seen = this.#lastError ? `last error: ${this.#lastError.message}` : 'no error yet';
              reject(
                new WaitTimeoutError(
                  `timed out after ${timeoutMs} ms waiting for the ${this.resource.kind} informer on ${this.#client.rest.server} to sync; last seen: ${seen}`,
                ),
              );
            }, timeoutMs);
      signal?.addEventListener('abort', abort, { once: true });
      void this.#firstSync.promise.then(() => {
        settle();
        resolve();
      });
    });
  }

  /**
   * Registers a handler for every cluster (`cluster` undefined) or for one. Unless `replay` is false, the
   * handler first receives `onAdd(object, true)` for the objects already stored that it is interested in.
   */
  addHandler(
    handler: EventHandler<T>,
    options: { cluster?: string; replay?: boolean } = {},
  ): HandlerRegistration {
    const { cluster } = options;
    if (cluster === undefined) {
      this.#allClusters.add(handler);
    } else {
      let set = this.#byCluster.get(cluster);
      if (!set) {
        set = new Set();
        this.#byCluster.set(cluster, set);
      }
      set.add(handler);
    }
    if (options.replay !== false && handler.onAdd) {
      const existing = cluster === undefined ? this.store.values() : this.store.inCluster(cluster);
      for (const object of existing) this.#call(() => handler.onAdd?.(object, true));
    }
    return {
      remove: () => {
        if (cluster === undefined) {
          this.#allClusters.delete(handler);
          return;
        }
        const set = this.#byCluster.get(cluster);
        set?.delete(handler);
        if (set?.size === 0) this.#byCluster.delete(cluster);
      },
    };
  }

  /** Number of registered handlers (all clusters plus per cluster). */
  get handlerCount(): number {
    let n = this.#allClusters.size;
    for (const set of this.#byCluster.values()) n += set.size;
    return n;
  }

  /** Adds a per-cluster index (see {@link Store.addIndex}); works before and after start. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  /** A read-only view of one cluster. */
  scoped(cluster: string): ScopedCache<T> {
    return new ScopedCache(this.store, cluster, () => this.#synced);
  }

  /** Objects across every cluster, optionally filtered by namespace and labels. */
  list(options: CacheListOptions = {}): T[] {
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    const out: T[] = [];
    for (const object of this.store.values()) {
      if (options.namespace !== undefined && (object.metadata?.namespace ?? '') !== options.namespace)
        continue;
      if (selector && !selector.matches(object.metadata?.labels)) continue;
      out.push(object);
    }
    return out;
  }

  #onEvent(event: WatchEvent<T>): void {
    switch (event.type) {
      case 'init':
        if (event.reason !== undefined) this.#lastRelistReason = event.reason;
        this.#relistSeen = new Set();
        return;
      case 'initApply':
        this.#apply(event.object, true);
        return;
      case 'initDone':
        this.#finishRelist();
        return;
      case 'apply':
        this.#lastError = undefined;
        this.#apply(event.object, false);
        return;
      case 'delete': {
        this.#lastError = undefined;
        const old = this.store.deleteObject(event.object);
        this.#dispatchDelete(old ?? this.#transform(event.object));
        return;
      }
      case 'error':
        this.#lastError = event.error;
        if (!event.repeated) this.#options.onError?.(event.error);
        return;
    }
  }

  #apply(incoming: T, fromList: boolean): void {
    const object = this.#transform(incoming);
    if (fromList) this.#relistSeen?.add(this.store.keyOf(object));
    const cluster = this.store.clusterOf(object);
    const old = this.store.get(cluster, object.metadata?.namespace, object.metadata?.name ?? '');
    if (old && old.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.store.upsert(object);
    const initial = fromList && !this.#synced;
    const perCluster = this.#byCluster.get(cluster);
    if (old) {
      if (perCluster) for (const h of perCluster) this.#call(() => h.onUpdate?.(old, object));
      for (const h of this.#allClusters) this.#call(() => h.onUpdate?.(old, object));
    } else {
      if (perCluster) for (const h of perCluster) this.#call(() => h.onAdd?.(object, initial));
      for (const h of this.#allClusters) this.#call(() => h.onAdd?.(object, initial));
    }
  }

  #finishRelist(): void {
    const seen = this.#relistSeen;
    this.#relistSeen = undefined;
    if (seen && seen.size !== this.store.size) {
      const vanished: T[] = [];
      for (const object of this.store.values())
        if (!seen.has(this.store.keyOf(object))) vanished.push(object);
      for (const object of vanished) {
        this.store.deleteObject(object);
        this.#dispatchDelete(object);
      }
    }
    this.#lastError = undefined;
    this.#synced = true;
    this.#firstSync.resolve();
  }

  #dispatchDelete(object: T): void {
    const perCluster = this.#byCluster.get(this.store.clusterOf(object));
    if (perCluster) for (const h of perCluster) this.#call(() => h.onDelete?.(object));
    for (const h of this.#allClusters) this.#call(() => h.onDelete?.(object));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
