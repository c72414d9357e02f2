import type { KubeObject } from '../client/object.ts';

/**
 * What a watcher emits. A (re)list is bracketed: `init`, then one `initApply` per listed object, then
 * `initDone`. Consumers that keep a cache replace their contents at `initDone` (objects not re-listed have
 * vanished). Between lists come `apply` (added or modified) and `delete` events. `error` events report
 * trouble the watcher is already recovering from; they never end the stream.
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'init' }
  | { type: 'initApply'; object: T }
  | { type: 'initDone'; resourceVersion: string }
  | { type: 'apply'; object: T }
  | { type: 'delete'; object: T }
  | { type: 'error'; error: Error; retryInMs: number };
