import type { KubeObject } from '../client/object.ts';

/**
 * What a watcher emits. A (re)list is bracketed: `init`, then one `initApply` per listed object, then
 * `initDone`. Consumers that keep a cache replace their contents at `initDone` (objects not re-listed have
 * vanished). Between lists come `apply` (added or modified) and `delete` events. `error` events report
 * trouble the watcher is already recovering from; they never end the stream.
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  /** `reason` is set on a relist: why the previous resourceVersion could not be resumed (e.g. 410 Gone). */
  | { type: 'init'; reason?: string }
  | { type: 'initApply'; object: T }
  | { type: 'initDone'; resourceVersion: string }
  | { type: 'apply'; object: T }
  | { type: 'delete'; object: T }
  /**
   * `repeated` is true when `error` says exactly what the previous error of this outage said: log it
   * quietly (the watcher reports it again, not repeated, after 5 minutes, or once it recovered and failed anew).
   */
  | { type: 'error'; error: Error; retryInMs: number; repeated: boolean };
