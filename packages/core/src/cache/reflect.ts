import type { OperatorFunction } from 'rxjs';
import { Observable } from 'rxjs/internal/Observable';
import type { KubeObject } from '../client/object.ts';
import type { WatchEvent } from '../watch/watch-event.ts';
import type { Store } from './store.ts';

/**
 * An rxjs operator that keeps `store` in step with a stream of {@link WatchEvent}s and passes every event
 * on unchanged, once the store reflects it: the reflector stage of watcher → reflector → controller,
 * usable without a `SharedInformer`.
 *
 * `apply` and `initApply` upsert, `delete` removes; at `initDone` the objects a (re)list did not return are
 * removed, since they vanished while the watch could not see them. `error` events pass through untouched.
 * The store is written as the events arrive, so a subscriber sees the store already updated.
 *
 * @example
 * const store = new Store<ConfigMap>();
 * watchResource(client, ConfigMapResource).pipe(reflect(store)).subscribe((event) => …);
 */
export function reflect<T extends KubeObject>(
  store: Store<T>,
): OperatorFunction<WatchEvent<T>, WatchEvent<T>> {
  return (source) =>
    new Observable<WatchEvent<T>>((subscriber) => {
      // Keys returned by the list in progress; per subscription, so each stream relists on its own.
      let listed: Set<string> | undefined;
      const subscription = source.subscribe({
        next: (event) => {
          switch (event.type) {
            case 'init':
              listed = new Set();
              break;
            case 'initApply':
              listed?.add(store.keyOf(event.object));
              store.upsert(event.object);
              break;
            case 'initDone':
              if (listed) removeUnlisted(store, listed);
              listed = undefined;
              break;
            case 'apply':
              store.upsert(event.object);
              break;
            case 'delete':
              store.deleteObject(event.object);
              break;
            case 'error':
              break;
          }
          subscriber.next(event);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => subscription.unsubscribe();
    });
}

/** Removes every object whose key a completed list did not contain. */
function removeUnlisted<T extends KubeObject>(store: Store<T>, listed: ReadonlySet<string>): void {
  if (listed.size === store.size) return;
  const vanished: T[] = [];
  for (const object of store.values()) if (!listed.has(store.keyOf(object))) vanished.push(object);
  for (const object of vanished) store.deleteObject(object);
}
