import type { HandlerContext } from '../handler/request-handler.ts';

/**
 * What a source is started with: the cluster the controller works on, until `signal` aborts. It is also
 * the context the source hands its handler, so the Requests it produces carry the engaged cluster's name.
 */
export interface SourceStartContext extends HandlerContext {
  /**
   * Aborts when the engagement ends: the cluster was disengaged, engaged again (replaced), or the
   * controller stopped. Everything the source set up for the cluster must be released then.
   */
  readonly signal: AbortSignal;
}

/** @deprecated Renamed {@link SourceStartContext}: the name says what a source is started with. */
export type SourceEngagement = SourceStartContext;

/** A source started for one cluster: lets the controller know when that cluster's events are complete. */
export interface StartedSource {
  /** True once the source has delivered the cluster's current state (its informer's first list). */
  readonly hasSynced: boolean;
  /**
   * Resolves once {@link StartedSource.hasSynced}; rejects when `signal` aborts or `timeoutMs` passes
   * (default: a minute), so the caller can report a cluster that does not sync and keep waiting.
   */
  waitForSync(options: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
  /**
   * The last error of the watch behind the source (cleared once objects flow again), so that a readiness
   * report can say why a source has not synced, e.g. a resource the server does not serve. Sources without
   * a watch of their own leave it out.
   */
  readonly lastError?: Error | undefined;
}

/**
 * A per-cluster recipe for events: a controller keeps its sources and calls {@link Source.start} each time
 * it engages a cluster the watch applies to, so one controller follows any number of clusters that come
 * and go. Starting must not block (no waiting for a sync: that is what {@link StartedSource.waitForSync}
 * is for) and must not outlive the engagement's signal.
 */
export interface Source {
  /** What the source watches, for logs and errors, e.g. `ConfigMap (v1)`. */
  readonly description: string;
  /** Starts delivering events of one engaged cluster to the engagement's queue. */
  start(engagement: SourceStartContext): StartedSource;
}
