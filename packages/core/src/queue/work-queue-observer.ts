/**
 * Hooks a work queue calls as keys move through it, so that a manager can export controller-runtime's
 * workqueue metrics without the queue depending on a metrics library:
 * - `workqueue_depth` from {@link WorkQueueObserver.depthChanged},
 * - `workqueue_adds_total` from {@link WorkQueueObserver.added},
 * - `workqueue_queue_duration_seconds` from {@link WorkQueueObserver.taken},
 * - `workqueue_work_duration_seconds` from {@link WorkQueueObserver.finished},
 * - `workqueue_retries_total` from {@link WorkQueueObserver.retried},
 * - `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds` are read on demand
 *   from the queue's `unfinishedWorkMs` and `longestRunningProcessorMs` (no timer needed).
 *
 * Every hook is optional and called synchronously after the queue's state has changed. A hook that throws is
 * reported to the queue's `onError` and otherwise ignored, so metrics can never corrupt the queue.
 */
export interface WorkQueueObserver {
  /** An add was accepted: the key was not already waiting (deduplicated adds are not reported). */
  added?(key: string): void;
  /** The number of keys waiting to be processed (the queue's `len`) changed to `depth`. */
  depthChanged?(depth: number): void;
  /** A worker took `key`, which had waited `queuedMs` since the add that made it pending. */
  taken?(key: string, queuedMs: number): void;
  /** Processing of `key` finished (successfully or not) after `workMs`. */
  finished?(key: string, workMs: number): void;
  /** `key` was re-added through the rate limiter (`addRateLimited`). */
  retried?(key: string): void;
}
