import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { enqueueForObject } from '../handler/enqueue-for-object.ts';
import { enqueueForOwner } from '../handler/enqueue-for-owner.ts';
import type { RequestHandler } from '../handler/request-handler.ts';
import type { Predicate } from '../predicate/predicate.ts';
import type { Reconciler } from '../reconcile/request.ts';
import { kind } from '../source/kind.ts';
import type { Source } from '../source/source.ts';
import { Controller, type ControllerOptions } from './controller.ts';
import type { WatchClusters } from './watch-clusters.ts';

/** Options of the builder's `for` and `watches`. */
export interface BuilderWatchOptions<T extends KubeObject> {
  /** Filters for this watch only, in addition to {@link ControllerBuilder.withEventFilter}'s. */
  predicates?: readonly Predicate<T>[];
  /**
   * Which engaged clusters to watch. Default: the clusters of the `for` watch, whose own default is
   * `'provider'` (every cluster but the manager's local one, `''`). A controller of the local cluster
   * alone says `for(resource, { clusters: 'local' })`.
   */
  clusters?: WatchClusters;
}

/** Options of the builder's `owns`. */
export interface BuilderOwnsOptions<T extends KubeObject> extends BuilderWatchOptions<T> {
  /** Follow only the controller reference (default true); false follows every owner reference to the `for` kind. */
  onlyController?: boolean;
}

/** A watch before defaults are resolved. */
interface PendingWatch {
  /** Makes the source, given the global predicates. */
  readonly source: (globalPredicates: readonly Predicate[]) => Source;
  readonly clusters: WatchClusters | undefined;
}

/**
 * Assembles a {@link Controller} the way controller-runtime's builder does, without needing a manager:
 *
 * ```ts
 * const controller = new ControllerBuilder('shop')
 *   .for(ShopResource)                                        // reconcile Shops in every provider cluster
 *   .owns(DeploymentResource)                                 // and again when a Deployment they own changes
 *   .watches(SecretResource, enqueueFromMap(secretToShops))   // or a Secret they reference
 *   .withOptions({ maxConcurrentReconciles: 4 })
 *   .build(reconcileShop);
 * manager.add(controller);
 * ```
 *
 * Every watch defaults to the clusters of the `for` watch, which defaults to `'provider'`; see
 * {@link WatchClusters}. Predicates given to {@link ControllerBuilder.withEventFilter} apply to every
 * `for`, `owns` and `watches` watch, but not to sources added with {@link ControllerBuilder.watchesSource}.
 */
export class ControllerBuilder {
  readonly #name: string;
  readonly #watches: PendingWatch[] = [];
  readonly #globalPredicates: Predicate[] = [];
  #for: { readonly resource: ResourceDescriptor; readonly clusters: WatchClusters | undefined } | undefined;
  #ownsCount = 0;
  #options: ControllerOptions = {};
  #built = false;

  /** `name` must be unique among a manager's controllers: it labels metrics and log lines. */
  constructor(name: string) {
    if (!name.trim()) throw new TypeError('a controller needs a name (it labels its metrics and logs)');
    this.#name = name;
  }

  /** The primary resource: each of its objects is reconciled when it changes. Call once. */
  for<T extends KubeObject>(resource: ResourceDescriptor<T>, options: BuilderWatchOptions<T> = {}): this {
    if (this.#for) {
      throw new Error(
        `controller ${this.#name}: for() was already called with ${this.#for.resource.kind}; use watches() for further resources`,
      );
    }
    this.#for = { resource, clusters: options.clusters };
    this.#addKind(resource, enqueueForObject<T>(), options);
    return this;
  }

  /**
   * A resource the `for` objects create and own (their controller reference points at them): a change to
   * one of its objects reconciles the owner, in the same cluster.
   */
  owns<T extends KubeObject>(resource: ResourceDescriptor<T>, options: BuilderOwnsOptions<T> = {}): this {
    this.#ownsCount++;
    const onlyController = options.onlyController ?? true;
    this.#watches.push({
      source: (global) => {
        // for() may come after owns(), so the owner kind is looked up when the controller is built.
        const owner = this.#for?.resource;
        if (!owner) throw new Error('unreachable: build() checks that for() was called');
        return kind(
          resource,
          enqueueForOwner<T>(owner, { onlyController }),
          ...(global as readonly Predicate<T>[]),
          ...(options.predicates ?? []),
        );
      },
      clusters: options.clusters,
    });
    return this;
  }

  /** Any resource, with a handler that says which objects to reconcile for its events. */
  watches<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    handler: RequestHandler<T>,
    options: BuilderWatchOptions<T> = {},
  ): this {
    this.#addKind(resource, handler, options);
    return this;
  }

  /** A custom source, used as is (the global predicates do not apply). */
  watchesSource(source: Source, options: { clusters?: WatchClusters } = {}): this {
    this.#watches.push({ source: () => source, clusters: options.clusters });
    return this;
  }

  /** Predicates for every `for`, `owns` and `watches` watch. */
  withEventFilter(...predicates: readonly Predicate[]): this {
    this.#globalPredicates.push(...predicates);
    return this;
  }

  /** Controller options (merged with earlier calls). */
  withOptions(options: ControllerOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** Creates the controller with its watches. A builder builds one controller. */
  build(reconciler: Reconciler): Controller {
    if (this.#built) throw new Error(`controller ${this.#name}: build() was already called`);
    if (this.#ownsCount > 0 && !this.#for) {
      throw new Error(
        `controller ${this.#name}: owns() needs for(): owned objects are mapped to their owner of the for() kind`,
      );
    }
    if (this.#watches.length === 0) {
      throw new Error(
        `controller ${this.#name}: nothing to watch; call for(), owns(), watches() or watchesSource()`,
      );
    }
    this.#built = true;
    const defaultClusters: WatchClusters = this.#for?.clusters ?? 'provider';
    const forResource = this.#for?.resource;
    const controller = new Controller(this.#name, reconciler, {
      ...(forResource ? { reconciles: { group: forResource.group, kind: forResource.kind } } : {}),
      ...this.#options,
    });
    for (const watch of this.#watches) {
      controller.watch(watch.source(this.#globalPredicates), { clusters: watch.clusters ?? defaultClusters });
    }
    return controller;
  }

  #addKind<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    handler: RequestHandler<T>,
    options: BuilderWatchOptions<T>,
  ): void {
    this.#watches.push({
      source: (global) =>
        kind(resource, handler, ...(global as readonly Predicate<T>[]), ...(options.predicates ?? [])),
      clusters: options.clusters,
    });
  }
}
