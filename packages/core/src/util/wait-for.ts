import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** What is being waited for, for the timeout message (e.g. `workspace root:shop to be Ready`). */
  what: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Default 250 ms. */
  intervalMs?: number;
  /** Stops waiting early; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Describes the last observed state for the timeout message. */
  describe?: () => string;
  /** Errors from the probe for which this returns false end the wait at once. Default: every error is retried. */
  retryOn?: (err: unknown) => boolean;
}

/** Timed out waiting for a condition. The message says what was awaited and what was last seen. */
export class WaitTimeoutError extends Error {
  /** `WaitTimeoutError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false`, and returns that value.
 * Errors thrown by the probe count as "not yet" unless `retryOn` rejects them (the last one is reported on timeout).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      if (options.retryOn && !options.retryOn(err)) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = options.describe?.();
      const last =
        lastError instanceof Error ? lastError.message : lastError ? JSON.stringify(lastError) : undefined;
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${options.what}${seen ? `; last seen: ${seen}` : ''}${last ? `; last error: ${last}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 250, undefined, options.signal ? { signal: options.signal } : {});
  }
}
