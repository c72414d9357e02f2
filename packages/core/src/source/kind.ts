import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, apiVersionOf } from '../client/resource.ts';
import type { RequestHandler } from '../handler/request-handler.ts';
import { allowCreate, allowDelete, allowUpdate, type Predicate } from '../predicate/predicate.ts';
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
      const { signal } = engagement;
      const informer = engagement.cluster.cache.informer(resource);
      const started: StartedSource = {
        get hasSynced() {
          return informer.hasSynced;
        },
        waitForSync: (options) => informer.waitForSync(options),
        get lastError() {
          return informer.lastError;
        },
      };
      if (signal.aborted) return started;
      const guarded = (what: string, deliver: () => void) => {
        if (signal.aborted) return;
        try {
          deliver();
        } catch (error) {
          engagement.log.error(
            { err: error, source: description },
            `a handler or predicate failed on a ${what} event; the event was dropped`,
          );
        }
      };
      const registration = informer.addHandler(
        {
          onAdd: (object) =>
            guarded('create', () => {
              if (allowCreate(predicates, object)) handler.create(object, engagement);
            }),
          onUpdate: (oldObject, newObject) =>
            guarded('update', () => {
              if (allowUpdate(predicates, oldObject, newObject))
                handler.update(oldObject, newObject, engagement);
            }),
          onDelete: (object) =>
            guarded('delete', () => {
              if (allowDelete(predicates, object)) handler.delete(object, engagement);
            }),
        },
        { cluster: engagement.cluster.cache.scope },
      );
      signal.addEventListener('abort', () => registration.remove(), { once: true });
      return started;
    },
  };
}
