import type { EventHandler, SharedInformer } from '../cache/shared-informer.ts';
import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, apiVersionOf } from '../client/resource.ts';
import type { RequestHandler } from '../handler/request-handler.ts';
import { allowCreate, allowDelete, allowUpdate, type Predicate } from '../predicate/predicate.ts';
import { type AbortWatcher, watchAbort } from '../util/linked-abort.ts';
import type { Source, SourceStartContext, StartedSource } from './source.ts';

/**
 * Watches a resource in each engaged cluster: on engagement it registers `handler` on the cluster's
 * informer for `resource`, for that cluster's objects only (`cluster.cache.scope`, so a kcp informer shared
 * by many workspaces delivers each workspace's events to its own engagement at the cost of a map lookup),
 * and removes the registration when the engagement ends. The cluster's existing objects are replayed as
 * create events, which is how a newly engaged cluster gets reconciled.
 *
 * Events pass through `predicates` first (all must agree); events that arrive after the engagement ended
 * are dropped. A throwing handler or predicate is logged and does not disturb the informer.
 */
export function kind<T extends KubeObject>(
  resource: ResourceDescriptor<T>,
  handler: RequestHandler<T>,
  ...predicates: readonly Predicate<T>[]
): Source {
  const description = `${resource.kind} (${apiVersionOf(resource)})`;
  return {
    description,
    start(engagement: SourceStartContext): StartedSource {
      const watch = new KindWatch(
        engagement.cluster.cache.informer(resource),
        engagement,
        handler,
        predicates,
        description,
      );
      watch.register();
      return watch;
    },
  };
}

/**
 * One engagement of a {@link kind} source: at once what the controller is handed back, the handler
 * registered on the informer, and the watcher of the engagement's signal that removes it. One object per
 * engaged cluster, its behaviour on the prototype: with 100,000 engaged workspaces, a closure per callback
 * (and an event listener per engagement) was memory that grew with the fleet.
 */
class KindWatch<T extends KubeObject> implements StartedSource, EventHandler<T>, AbortWatcher {
  readonly #informer: SharedInformer<T>;
  readonly #engagement: SourceStartContext;
  readonly #handler: RequestHandler<T>;
  readonly #predicates: readonly Predicate<T>[];
  readonly #description: string;
  #registration: { remove(): void } | undefined;

  constructor(
    informer: SharedInformer<T>,
    engagement: SourceStartContext,
    handler: RequestHandler<T>,
    predicates: readonly Predicate<T>[],
    description: string,
  ) {
    this.#informer = informer;
    this.#engagement = engagement;
    this.#handler = handler;
    this.#predicates = predicates;
    this.#description = description;
  }

  /** Registers on the informer (replaying the cluster's objects) until the engagement's signal aborts. */
  register(): void {
    const { signal } = this.#engagement;
    if (signal.aborted) return;
    this.#registration = this.#informer.addHandler(this, { cluster: this.#engagement.cluster.cache.scope });
    watchAbort(signal, this);
  }

  get hasSynced(): boolean {
    return this.#informer.hasSynced;
  }

  waitForSync(options: { signal?: AbortSignal; timeoutMs?: number }): Promise<void> {
    return this.#informer.waitForSync(options);
  }

  get lastError(): Error | undefined {
    return this.#informer.lastError;
  }

  onAdd(object: T): void {
    if (this.#engagement.signal.aborted) return;
    try {
      if (allowCreate(this.#predicates, object)) this.#handler.create(object, this.#engagement);
    } catch (error) {
      this.#failed('create', error);
    }
  }

  onUpdate(oldObject: T, newObject: T): void {
    if (this.#engagement.signal.aborted) return;
    try {
      if (allowUpdate(this.#predicates, oldObject, newObject))
        this.#handler.update(oldObject, newObject, this.#engagement);
    } catch (error) {
      this.#failed('update', error);
    }
  }

  onDelete(object: T): void {
    if (this.#engagement.signal.aborted) return;
    try {
      if (allowDelete(this.#predicates, object)) this.#handler.delete(object, this.#engagement);
    } catch (error) {
      this.#failed('delete', error);
    }
  }

  /** The engagement's signal aborted: stop delivering. */
  signalAborted(): void {
    this.#registration?.remove();
    this.#registration = undefined;
  }

  #failed(what: string, error: unknown): void {
    this.#engagement.log.error(
      { err: error, source: this.#description },
      `a handler or predicate failed on a ${what} event; the event was dropped`,
    );
  }
}
