import { AsyncLocalStorage } from 'node:async_hooks';
import PQueue from 'p-queue';

/** What a processor learns about the key it was handed, besides the item. */
export interface ProcessContext {
  /** The item's key: no other worker holds it until this processing ends. */
  readonly key: string;
  /**
   * Aborts when the run's `signal` aborts or the deadline of the queue's `shutdownWithDrain` passes; pass it
   * on to requests so that a stopping controller does not wait for them.
   */
  readonly signal: AbortSignal;
  /**
   * Frees this processing's worker slot now, so that another key can start, while the key itself stays
   * processing until the processor's promise settles: it is not handed out again, and adds meanwhile mark it
   * dirty for one more processing afterwards. For a processor stuck in work that ignores its signal (a hung
   * reconcile): it no longer blocks the other keys. Calling it again does nothing.
   */
  releaseSlot(): void;
}

/**
 * Processes one key, typically a reconcile. It decides about requeueing itself (`addRateLimited` on failure,
 * `forget` on success); a throw or rejection is only reported to the queue's `onError`.
 */
export type Processor<T> = (item: T, context: ProcessContext) => Promise<void> | void;

/** Options for a work queue's `run`. */
export interface RunOptions {
  /** Keys processed at the same time (controller-runtime's MaxConcurrentReconciles). Default 1. */
  concurrency?: number;
  /** Stops taking keys and aborts the signal of in-flight processors. The queue itself stays open. */
  signal?: AbortSignal;
}

/** The queue's side of a run: internal to this folder. */
export interface WorkSource<T> {
  /** Keys ready to be taken. */
  readonly len: number;
  /** Hands out the first ready key, now marked as processing; undefined when none is ready. */
  take(): { readonly key: string; readonly item: T } | undefined;
  /** Ends the processing of `key`; requeues it when it was added meanwhile. */
  done(key: string): void;
  /** Reports an error no one else will see. */
  report(error: unknown, key: string | undefined): void;
  /**
   * Connects a run to the queue: the queue calls `wake` when a key becomes ready, `stop` when it shuts down
   * and `abort` when in-flight work should give up. Returns the disconnect function.
   */
  attach(loop: WorkerLoop): () => void;
}

/** How a queue drives a running loop: internal to this folder. */
export interface WorkerLoop {
  /** A key became ready. */
  wake(): void;
  /** The queue shut down: take no more keys. */
  stop(): void;
  /** Abort the signal of in-flight processors. */
  abort(reason: unknown): void;
}

/**
 * Runs up to `concurrency` processors over `source` until the queue shuts down or `options.signal` aborts,
 * then waits for the in-flight ones (except those that released their slot: they end on their own, and
 * their keys stay processing until then). p-queue provides the worker slots; this loop only submits as many
 * tasks as there are ready keys and free slots, and each task takes its key when it starts, so keys go out
 * in the order they became ready and nothing polls while the queue is idle. Processors run in the async
 * context (AsyncLocalStorage) of the `run` call, not in that of whichever add or earlier processing woke
 * the loop, so no per-reconcile context leaks from one key to the next.
 */
export async function runWorkers<T>(
  source: WorkSource<T>,
  processor: Processor<T>,
  options: RunOptions,
): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const slots = new PQueue({ concurrency });
  const inRunContext = AsyncLocalStorage.snapshot();
  const inFlight = new AbortController();
  const { promise: stopped, resolve: resolveStopped } = Promise.withResolvers<void>();
  let isStopped = false;
  // Tasks handed to p-queue and not finished, and those among them that have not taken their key yet.
  let submitted = 0;
  let untaken = 0;
  let pumpQueued = false;

  const stop = (): void => {
    if (isStopped) return;
    isStopped = true;
    resolveStopped();
  };

  const task = async (): Promise<void> => {
    untaken--;
    try {
      if (isStopped) return;
      const next = source.take();
      if (!next) return;
      const released = Promise.withResolvers<void>();
      const context: ProcessContext = {
        key: next.key,
        signal: inFlight.signal,
        releaseSlot: () => released.resolve(),
      };
      const processing = (async () => {
        try {
          await processor(next.item, context);
        } catch (error) {
          source.report(error, next.key);
        } finally {
          source.done(next.key);
        }
      })();
      // The slot is this task: it ends when the processing does, or earlier when the processor releases it.
      await Promise.race([processing, released.promise]);
    } finally {
      submitted--;
      wake();
    }
  };

  const slotFree = (): boolean => !isStopped && source.len > untaken && submitted < concurrency;

  const pump = (): void => {
    pumpQueued = false;
    while (slotFree()) {
      submitted++;
      untaken++;
      // The task handles its own errors; this only guards against an unhandled rejection if it ever did not.
      slots.add(() => inRunContext(task)).catch((error: unknown) => source.report(error, undefined));
    }
  };

  // Deferred to a microtask so that an add() never runs a processor synchronously inside its caller.
  const wake = (): void => {
    if (pumpQueued || isStopped) return;
    pumpQueued = true;
    queueMicrotask(pump);
  };

  const onAbort = (): void => {
    inFlight.abort(options.signal?.reason);
    stop();
  };
  const detach = source.attach({ wake, stop, abort: (reason) => inFlight.abort(reason) });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) onAbort();
    wake();
    await stopped;
    await slots.onIdle();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    detach();
  }
}
