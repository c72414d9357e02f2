import type { KubeObject } from '../client/object.ts';

/**
 * What a watcher emits. A (re)list is bracketed: `init`, then one `initApply` per listed object, then
 * `initDone`. Consumers that keep a cache replace their contents at `initDone` (objects not re-listed have
 * vanished). Between lists come `apply` (added or modified) and `delete` events. `error` events report
 * trouble the watcher is already recovering from; they never end the stream.
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  /** `reason` is set on a relist: why the previous resourceVersion could not be resumed (e.g. 410 Gone). */
  | {
      /** A (re)list starts: the objects that follow replace everything known so far. */
      type: 'init';
      /** Why the list was repeated, if it was. */
      reason?: string;
    }
  | {
      /** One object of the list. */
      type: 'initApply';
      /** The object as listed. */
      object: T;
    }
  | {
      /** The list is complete: objects not listed since `init` are gone. */
      type: 'initDone';
      /** The list's resourceVersion, where the watch continues. */
      resourceVersion: string;
    }
  | {
      /** An object was added or changed. */
      type: 'apply';
      /** Its new state. */
      object: T;
    }
  | {
      /** An object was deleted. */
      type: 'delete';
      /** Its last state. */
      object: T;
    }
  /**
   * `repeated` is true when `error` says exactly what the previous error of this outage said: log it
   * quietly (the watcher reports it again, not repeated, after 5 minutes, or once it recovered and failed anew).
   */
  | {
      /** The watch failed and will be retried. */
      type: 'error';
      /** What failed. */
      error: Error;
      /** When the watcher tries again. */
      retryInMs: number;
      /** True when this error repeats the previous one of the same outage. */
      repeated: boolean;
    };
