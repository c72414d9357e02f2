/** A manager, or something wrapping one (a syncagent), that runs until its signal aborts. */
export interface Startable {
  start(signal?: AbortSignal): Promise<void>;
}

/** A manager started in the background, and the way to stop it. */
export interface RunningManager {
  /** Stops the manager and resolves once it has shut down (an error it stopped with is rethrown). */
  stop(): Promise<void>;
}

/**
 * Starts `manager` without awaiting it, so several stand-ins and agents can run side by side in one
 * process; a crash is kept and rethrown by `stop()`, so it is never an unhandled rejection.
 */
export function runInBackground(manager: Startable): RunningManager {
  const abort = new AbortController();
  let failure: unknown;
  const running = manager.start(abort.signal).catch((error: unknown) => {
    failure = error;
  });
  return {
    stop: async () => {
      abort.abort();
      await running;
      if (failure !== undefined) throw failure;
    },
  };
}
