import { Observable } from 'rxjs/internal/Observable';
import type { KubeObject } from '../client/object.ts';
import type { SharedInformer } from './shared-informer.ts';

/**
 * A change in an informer's store, as {@link informerEvents} emits it: the same changes an
 * `EventHandler` is called with, as values that rxjs operators can filter, map and buffer.
 */
export type InformerEvent<T extends KubeObject = KubeObject> =
  /** A new object; `initial` when it was replayed to a late subscriber or found by the informer's first list. */
  | {
      /** `add`. */
      type: 'add';
      /** The object as cached. */
      object: T;
      /** True for objects that existed before this subscriber started listening. */
      initial: boolean;
    }
  /** An object changed; `oldObject` is the state it replaced. */
  | {
      /** `update`. */
      type: 'update';
      /** The state before the change. */
      oldObject: T;
      /** The state after it. */
      object: T;
    }
  /** An object was deleted, or vanished during a relist; `object` is its last known state. */
  | {
      /** `delete`. */
      type: 'delete';
      /** The last state the cache had. */
      object: T;
    };

/** Options for {@link informerEvents}. */
export interface InformerEventsOptions {
  /** Only this cluster's changes (default: every cluster's). */
  cluster?: string;
  /** First emit an `add` (initial) for every object already stored. Default true. */
  replay?: boolean;
}

/**
 * The changes of a {@link SharedInformer}'s store as an rxjs Observable.
 *
 * The Observable is hot: it neither starts nor stops the informer, which other controllers share. Each
 * subscription registers a handler (per cluster when `cluster` is given) and first receives the objects
 * already stored as `add` events with `initial: true`, so a late subscriber misses nothing; unsubscribing
 * removes the handler. Watch errors are not part of the stream (they never end it): they go to the
 * informer's `onError` and {@link SharedInformer.lastError}.
 *
 * @example
 * informerEvents(informer, { cluster: 'root:team-a' })
 *   .pipe(filter((e) => e.type === 'delete'))
 *   .subscribe((e) => log.info('gone', { name: e.object.metadata?.name }));
 */
export function informerEvents<T extends KubeObject>(
  informer: SharedInformer<T>,
  options: InformerEventsOptions = {},
): Observable<InformerEvent<T>> {
  return new Observable<InformerEvent<T>>((subscriber) => {
    const registration = informer.addHandler(
      {
        onAdd: (object, initial) => subscriber.next({ type: 'add', object, initial }),
        onUpdate: (oldObject, object) => subscriber.next({ type: 'update', oldObject, object }),
        onDelete: (object) => subscriber.next({ type: 'delete', object }),
      },
      {
        ...(options.cluster !== undefined ? { cluster: options.cluster } : {}),
        replay: options.replay ?? true,
      },
    );
    return () => registration.remove();
  });
}
