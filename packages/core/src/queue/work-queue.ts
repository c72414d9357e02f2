import { defaultRateLimiter } from './default-rate-limiter.ts';
import { DelayedAdds } from './delayed-adds.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { type Processor, type RunOptions, runWorkers, type WorkerLoop } from './run-workers.ts';
import type { WorkQueueObserver } from './work-queue-observer.ts';

/** Where an error reported to {@link WorkQueueCommonOptions.onError} came from. */
export interface WorkQueueErrorContext {
  /** `processor`: a processor given to {@link WorkQueue.run} threw or rejected; `observer`: a hook threw. */
  readonly source: 'processor' | 'observer';
  /** The key concerned, when there is one. */
  readonly key: string | undefined;
}

/** The options of {@link WorkQueue} that do not depend on the item type. */
export interface WorkQueueCommonOptions {
  /** Delays for {@link WorkQueue.addRateLimited}. Default {@link defaultRateLimiter}(). */
  rateLimiter?: RateLimiter;
  /** Metrics hooks; see {@link WorkQueueObserver}. */
  observer?: WorkQueueObserver;
  /**
   * Receives errors the queue catches so that they cannot become unhandled rejections: failed processors and
   * throwing observer hooks. Default: `console.error`. Requeueing is up to the processor, not this hook.
   */
  onError?: (error: unknown, context: WorkQueueErrorContext) => void;
  /**
   * Whether a pending delayed add keeps the Node.js process alive. Default false: the timer is unref'd, so a
   * long backoff never holds a process that has nothing else to do; shutting the queue down always clears it.
   */
  keepAlive?: boolean;
}

/**
 * Options for {@link WorkQueue}. `keyOf` maps an item to its stable string key; items with the same key are
 * the same unit of work (e.g. one object in one cluster). It may be omitted only when items are strings,
 * which are then their own key.
 */
export type WorkQueueOptions<T> = WorkQueueCommonOptions &
  ([T] extends [string]
    ? {
        /** The key of an item; default the string itself. */
        keyOf?: (item: T) => string;
      }
    : {
        /** The key of an item: items with the same key are one entry of the queue. */
        keyOf: (item: T) => string;
      });

/** The constructor arguments of {@link WorkQueue}: options are optional only for string items. */
export type WorkQueueConstructorArgs<T> = [T] extends [string]
  ? [options?: WorkQueueOptions<T>]
  : [options: WorkQueueOptions<T>];

/** Options for {@link WorkQueue.shutdownWithDrain}. */
export interface DrainOptions {
  /**
   * How long to wait for in-flight processing, in ms. When it passes, the signal of in-flight processors is
   * aborted and the drain resolves without waiting further. Default: no deadline.
   */
  deadlineMs?: number;
}

/** How {@link WorkQueue.shutdownWithDrain} ended. */
export interface DrainResult {
  /** True when all in-flight processing finished; false when the deadline passed first. */
  readonly drained: boolean;
  /** Keys still being processed when the deadline passed (empty when drained). */
  readonly unfinishedKeys: readonly string[];
}

/** A key waiting to be processed, with the item to hand out and when it became pending (queue latency). */
interface Pending<T> {
  readonly item: T;
  readonly addedAt: number;
}

/**
 * A keyed work queue for reconcilers, with client-go workqueue semantics:
 * - deduplicating: adding a key that is already waiting is a no-op;
 * - exclusive: a key is never handed to two workers at once; a key added while it is processed is marked
 *   dirty and processed once more right after (however many adds happened), so no update is lost;
 * - delaying: {@link WorkQueue.addAfter}, where the earliest schedule of a key wins;
 * - rate limited: {@link WorkQueue.addRateLimited} waits as long as the {@link RateLimiter} says.
 *
 * Keys are handed out first-in first-out in the order they became ready, to up to `concurrency` processors
 * of {@link WorkQueue.run}. Nothing polls: an idle queue holds at most one timer, for its next delayed add.
 *
 * @typeParam T - The item carried with each key, e.g. a reconcile request; a plain string by default.
 */
export class WorkQueue<T = string> {
  readonly #keyOf: (item: T) => string;
  readonly #limiter: RateLimiter;
  readonly #observer: WorkQueueObserver | undefined;
  readonly #onError: (error: unknown, context: WorkQueueErrorContext) => void;
  readonly #delayed: DelayedAdds<T>;
  // Ready keys, and the order they became ready in (#order from #head on).
  readonly #waiting = new Map<string, Pending<T>>();
  // A FIFO of its own rather than the Map's insertion order: V8 keeps a Map's deleted entries as holes
  // until it rehashes, so taking its first entry again and again walks every hole before it, O(n) a take
  // while keys keep coming (engaging 100,000 workspaces spent 8 % of its CPU there).
  #order: string[] = [];
  #head = 0;
  // Keys added while being processed: requeued when their processing is done.
  readonly #dirty = new Map<string, Pending<T>>();
  // Keys being processed, with their start time, oldest first.
  readonly #processing = new Map<string, number>();
  readonly #drainWaiters = new Set<() => void>();
  #loop: WorkerLoop | undefined;
  #isShutDown = false;

  constructor(...[options]: WorkQueueConstructorArgs<T>) {
    const opts: WorkQueueCommonOptions & { keyOf?: (item: T) => string } = options ?? {};
    this.#keyOf = opts.keyOf ?? stringKey;
    this.#limiter = opts.rateLimiter ?? defaultRateLimiter();
    this.#observer = opts.observer;
    this.#onError = opts.onError ?? logError;
    this.#delayed = new DelayedAdds<T>((key, item) => this.#enqueue(key, item), {
      keepAlive: opts.keepAlive ?? false,
    });
  }

  /** Keys waiting to be processed: not those being processed, nor those whose delayed add is pending. */
  get len(): number {
    return this.#waiting.size;
  }

  /** Keys being processed right now (unfinished work). */
  get processing(): number {
    return this.#processing.size;
  }

  /** Keys with a pending delayed add ({@link WorkQueue.addAfter} or {@link WorkQueue.addRateLimited}). */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Whether {@link WorkQueue.shutdown} was called: adds are ignored from then on. */
  get isShutDown(): boolean {
    return this.#isShutDown;
  }

  /** Summed age of all in-flight processing, in ms (workqueue_unfinished_work_seconds). */
  get unfinishedWorkMs(): number {
    const now = performance.now();
    let total = 0;
    for (const startedAt of this.#processing.values()) total += now - startedAt;
    return total;
  }

  /** Age of the oldest in-flight processing, in ms, 0 when idle (longest_running_processor_seconds). */
  get longestRunningProcessorMs(): number {
    const oldest = this.#processing.values().next();
    return oldest.done ? 0 : performance.now() - oldest.value;
  }

  /**
   * Marks `item`'s key as needing processing. A no-op when the key is already waiting (the first item stays)
   * or after shutdown; when the key is being processed, it is processed again right after.
   */
  add(item: T): void {
    if (this.#isShutDown) return;
    this.#enqueue(this.#keyOf(item), item);
  }

  /**
   * Adds `item` after `delayMs` (at once when `delayMs` <= 0). Of several pending schedules of one key the
   * earliest wins. An immediate {@link WorkQueue.add} does not cancel a pending one: when it fires later, it
   * is deduplicated if the key is still waiting, or processes the key again if it was processed meanwhile.
   */
  addAfter(item: T, delayMs: number): void {
    if (this.#isShutDown) return;
    this.#addAfter(this.#keyOf(item), item, delayMs);
  }

  /**
   * Adds `item` after the delay the rate limiter gives its key, and counts a retry; call it when processing
   * failed. Call {@link WorkQueue.forget} when it succeeds.
   */
  addRateLimited(item: T): void {
    if (this.#isShutDown) return;
    const key = this.#keyOf(item);
    const delayMs = this.#limiter.when(key);
    this.#observe(key, (observer) => observer.retried?.(key));
    this.#addAfter(key, item, delayMs);
  }

  /** Resets the rate limiter's backoff of `item`'s key; call it after a successful processing. */
  forget(item: T): void {
    this.#limiter.forget(this.#keyOf(item));
  }

  /** How often `item`'s key was rate limited since it was last forgotten (client-go's NumRequeues). */
  retries(item: T): number {
    return this.#limiter.retries(this.#keyOf(item));
  }

  /**
   * Processes keys with up to `options.concurrency` concurrent calls of `processor` until the queue shuts
   * down or `options.signal` aborts; resolves once in-flight processing has finished (not waiting for
   * processing that released its slot: `ProcessContext.releaseSlot`). Only one run may be
   * active at a time (it rejects otherwise); once a run stopped by its signal has resolved, a new one may
   * start. A run on a shut down queue resolves at once. Processors run in the async context
   * (AsyncLocalStorage) of this call.
   */
  run(processor: Processor<T>, options: RunOptions = {}): Promise<void> {
    if (this.#loop) return Promise.reject(new Error('WorkQueue.run: the queue is already running'));
    if (this.#isShutDown) return Promise.resolve();
    const waiting = this.#waiting;
    return runWorkers(
      {
        get len() {
          return waiting.size;
        },
        take: () => this.#take(),
        done: (key) => this.#done(key),
        report: (error, key) => this.#report(error, { source: 'processor', key }),
        attach: (loop) => {
          this.#loop = loop;
          return () => {
            if (this.#loop === loop) this.#loop = undefined;
          };
        },
      },
      processor,
      options,
    );
  }

  /**
   * Stops intake: later adds are ignored, pending delayed adds are cancelled, waiting keys are dropped and a
   * run stops taking keys. In-flight processing continues; {@link WorkQueue.shutdownWithDrain} waits for it.
   */
  shutdown(): void {
    if (this.#isShutDown) return;
    this.#isShutDown = true;
    this.#delayed.clear();
    this.#dirty.clear();
    this.#order = [];
    this.#head = 0;
    if (this.#waiting.size > 0) {
      this.#waiting.clear();
      this.#observe(undefined, (observer) => observer.depthChanged?.(0));
    }
    this.#loop?.stop();
  }

  /**
   * {@link WorkQueue.shutdown}, then waits until in-flight processing has finished or `deadlineMs` passed. At
   * the deadline the signal of in-flight processors is aborted and the keys still processing are reported.
   */
  shutdownWithDrain(options: DrainOptions = {}): Promise<DrainResult> {
    this.shutdown();
    if (this.#processing.size === 0) return Promise.resolve({ drained: true, unfinishedKeys: [] });
    const { promise, resolve } = Promise.withResolvers<DrainResult>();
    let deadline: NodeJS.Timeout | undefined;
    const onDrained = (): void => {
      clearTimeout(deadline);
      this.#drainWaiters.delete(onDrained);
      resolve({ drained: true, unfinishedKeys: [] });
    };
    this.#drainWaiters.add(onDrained);
    if (options.deadlineMs !== undefined) {
      deadline = setTimeout(
        () => {
          this.#drainWaiters.delete(onDrained);
          const unfinishedKeys = [...this.#processing.keys()];
          this.#loop?.abort(new DOMException('work queue drain deadline passed', 'TimeoutError'));
          resolve({ drained: false, unfinishedKeys });
        },
        Math.max(0, options.deadlineMs),
      );
    }
    return promise;
  }

  #addAfter(key: string, item: T, delayMs: number): void {
    if (delayMs > 0) this.#delayed.schedule(key, item, delayMs);
    else this.#enqueue(key, item);
  }

  #enqueue(key: string, item: T): void {
    if (this.#isShutDown || this.#waiting.has(key) || this.#dirty.has(key)) return;
    const pending: Pending<T> = { item, addedAt: performance.now() };
    if (this.#processing.has(key)) {
      this.#dirty.set(key, pending);
      this.#observe(key, (observer) => observer.added?.(key));
      return;
    }
    this.#makeReady(key, pending);
    this.#observe(key, (observer) => observer.added?.(key));
    this.#observe(key, (observer) => observer.depthChanged?.(this.#waiting.size));
    this.#loop?.wake();
  }

  #makeReady(key: string, pending: Pending<T>): void {
    this.#waiting.set(key, pending);
    this.#order.push(key);
  }

  /** The first ready key, taken out of the ready set; undefined when none is ready. */
  #takeFirstReady(): { key: string; pending: Pending<T> } | undefined {
    while (this.#head < this.#order.length) {
      const key = this.#order[this.#head++] as string;
      const pending = this.#waiting.get(key);
      if (!pending) continue;
      this.#waiting.delete(key);
      // Drop the taken part of the array once it is most of it, so it neither grows nor shifts every take.
      if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
        this.#order = this.#order.slice(this.#head);
        this.#head = 0;
      }
      return { key, pending };
    }
    this.#order = [];
    this.#head = 0;
    return undefined;
  }

  #take(): { key: string; item: T } | undefined {
    const first = this.#takeFirstReady();
    if (!first) return undefined;
    const { key, pending } = first;
    const now = performance.now();
    this.#processing.set(key, now);
    this.#observe(key, (observer) => observer.depthChanged?.(this.#waiting.size));
    this.#observe(key, (observer) => observer.taken?.(key, now - pending.addedAt));
    return { key, item: pending.item };
  }

  #done(key: string): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#observe(key, (observer) => observer.finished?.(key, performance.now() - startedAt));
    const dirty = this.#dirty.get(key);
    if (dirty) {
      this.#dirty.delete(key);
      this.#makeReady(key, dirty);
      this.#observe(key, (observer) => observer.depthChanged?.(this.#waiting.size));
      this.#loop?.wake();
    }
    if (this.#processing.size === 0) for (const waiter of this.#drainWaiters) waiter();
  }

  #observe(key: string | undefined, call: (observer: WorkQueueObserver) => void): void {
    if (!this.#observer) return;
    try {
      call(this.#observer);
    } catch (error) {
      this.#report(error, { source: 'observer', key });
    }
  }

  #report(error: unknown, context: WorkQueueErrorContext): void {
    try {
      this.#onError(error, context);
    } catch (hookError) {
      // The hook itself failed; log both rather than let either escape into a worker.
      logError(hookError, context);
      logError(error, context);
    }
  }
}

function stringKey(item: unknown): string {
  if (typeof item !== 'string')
    throw new TypeError('WorkQueue: items are not strings, so the queue needs a keyOf');
  return item;
}

function logError(error: unknown, context: WorkQueueErrorContext): void {
  const forKey = context.key === undefined ? '' : ` for key ${context.key}`;
  console.error(`kubeloom WorkQueue: ${context.source} failed${forKey}:`, error);
}
