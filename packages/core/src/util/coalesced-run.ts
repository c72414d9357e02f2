/**
 * Runs a task so that calls never overlap and none is lost: a call while the task runs shares that run,
 * and the task runs once more after it, however many calls arrived meanwhile (a file event during a
 * directory scan, a timer tick during a slow `kind get clusters`). The reason it exists is the rerun: a
 * change that happened during a run may not have been seen by it.
 */
export class CoalescedRun {
  readonly #task: () => Promise<void>;
  readonly #onError: (error: unknown) => void;
  readonly #stopped: () => boolean;
  #running: Promise<void> | undefined;
  #rerun = false;

  /**
   * `onError` gets what the task throws (the returned promise never rejects); once `stopped()` returns
   * true no rerun is started.
   */
  constructor(
    task: () => Promise<void>,
    options: { onError: (error: unknown) => void; stopped?: () => boolean },
  ) {
    this.#task = task;
    this.#onError = options.onError;
    this.#stopped = options.stopped ?? (() => false);
  }

  /** Runs the task, or joins the current run and asks for one more. Resolves when no run is pending. */
  run(): Promise<void> {
    if (this.#running) {
      this.#rerun = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#rerun = false;
          await this.#task();
        } while (this.#rerun && !this.#stopped());
      } catch (error) {
        this.#onError(error);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
