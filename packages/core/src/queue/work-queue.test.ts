import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExponentialBackoffLimiter } from './exponential-backoff-limiter.ts';
import type { ProcessContext } from './run-workers.ts';
import { WorkQueue, type WorkQueueErrorContext } from './work-queue.ts';
import type { WorkQueueObserver } from './work-queue-observer.ts';

/** Lets every pending microtask and immediate run (real timers). */
const settle = async (): Promise<void> => {
  await nextTurn();
  await nextTurn();
};

/** Lets pending microtasks run and moves fake time on by `ms`. */
const tick = async (ms = 0): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

/** A processor whose calls each wait until released, recording what it saw. */
function gatedProcessor() {
  const started: string[] = [];
  const gates: Array<{ key: string; release: () => void; context: ProcessContext }> = [];
  let active = 0;
  let maxActive = 0;
  const process = async (key: string, context: ProcessContext): Promise<void> => {
    started.push(key);
    active++;
    maxActive = Math.max(maxActive, active);
    const { promise, resolve } = Promise.withResolvers<void>();
    gates.push({ key, release: resolve, context });
    try {
      await promise;
    } finally {
      active--;
    }
  };
  const release = (key: string): void => {
    const index = gates.findIndex((gate) => gate.key === key);
    const gate = gates[index];
    if (!gate) throw new Error(`${key} is not being processed`);
    gates.splice(index, 1);
    gate.release();
  };
  return {
    process,
    release,
    started,
    gates,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
  };
}

/** A processor that records keys and finishes at once. */
function recordingProcessor() {
  const seen: string[] = [];
  return { seen, process: (key: string) => void seen.push(key) };
}

/** Timers that keep the process alive. */
const refTimers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue: adds', () => {
  it('deduplicates adds of a key that is already waiting', async () => {
    const added: string[] = [];
    const queue = new WorkQueue({ observer: { added: (key) => added.push(key) } });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.len).toBe(2);
    expect(added).toEqual(['a', 'b']);

    const { seen, process } = recordingProcessor();
    const run = queue.run(process);
    await settle();
    expect(seen).toEqual(['a', 'b']);
    queue.shutdown();
    await run;
  });

  it('hands keys out first-in first-out in the order they became ready', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process);
    queue.add('a');
    await settle();
    expect(worker.started).toEqual(['a']);
    // a is re-added while being processed: it becomes ready only when its processing ends, after b and c.
    queue.add('b');
    queue.add('a');
    queue.add('c');
    expect(queue.len).toBe(2);
    worker.release('a');
    for (const key of ['b', 'c', 'a']) {
      await settle();
      expect(worker.started.at(-1)).toBe(key);
      worker.release(key);
    }
    await settle();
    expect(worker.started).toEqual(['a', 'b', 'c', 'a']);
    queue.shutdown();
    await run;
  });

  it('keeps first-in first-out order across thousands of keys added while others are taken', async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    let added = 0;
    // Every processing adds two more keys until 5,000 were added, so takes and adds interleave throughout.
    const run = queue.run((key) => {
      seen.push(key);
      for (let i = 0; i < 2 && added < 5000; i++) queue.add(`k${added++}`);
    });
    queue.add(`k${added++}`);
    await vi.waitFor(() => expect(seen).toHaveLength(5000));
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => `k${i}`));
    expect(queue.len).toBe(0);
    queue.shutdown();
    await run;
  });

  it('processes a key added during its processing exactly once more', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 4 });
    queue.add('a');
    await settle();
    for (let i = 0; i < 5; i++) queue.add('a');
    await settle();
    // Free slots do not start a second processing of a.
    expect(worker.started).toEqual(['a']);
    expect(queue.len).toBe(0);
    worker.release('a');
    await settle();
    expect(worker.started).toEqual(['a', 'a']);
    worker.release('a');
    await settle();
    expect(worker.started).toEqual(['a', 'a']);
    expect(queue.len + queue.processing).toBe(0);
    queue.shutdown();
    await run;
  });

  it('processes at most `concurrency` keys at once', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 3 });
    for (let i = 0; i < 10; i++) queue.add(`k${i}`);
    await settle();
    expect(worker.active).toBe(3);
    expect(queue.processing).toBe(3);
    expect(queue.len).toBe(7);
    while (worker.gates.length > 0) {
      for (const key of worker.gates.map((gate) => gate.key)) worker.release(key);
      await settle();
    }
    expect(worker.started).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(worker.maxActive).toBe(3);
    queue.shutdown();
    await run;
  });

  it('releaseSlot frees the worker for other keys while the key stays locked until its processing ends', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 1 });
    queue.add('stuck');
    queue.add('b');
    await settle();
    expect(worker.started).toEqual(['stuck']);
    worker.gates[0]?.context.releaseSlot();
    worker.gates[0]?.context.releaseSlot(); // a second call changes nothing
    await settle();
    expect(worker.started).toEqual(['stuck', 'b']);
    expect(queue.processing).toBe(2);
    // Added again while still processing: dirty, not handed to the free slot.
    queue.add('stuck');
    worker.release('b');
    await settle();
    expect(worker.started).toEqual(['stuck', 'b']);
    expect(queue.processing).toBe(1);
    worker.release('stuck');
    await settle();
    expect(worker.started).toEqual(['stuck', 'b', 'stuck']);
    expect(worker.maxActive).toBe(2);
    worker.release('stuck');
    queue.shutdown();
    await run;
  });

  it('carries typed items, keyed by keyOf, and hands out the item with its key', async () => {
    interface Request {
      cluster: string;
      name: string;
    }
    const queue = new WorkQueue<Request>({ keyOf: (r) => `${r.cluster}/${r.name}` });
    queue.add({ cluster: 'c1', name: 'x' });
    queue.add({ cluster: 'c1', name: 'x' });
    queue.add({ cluster: 'c2', name: 'x' });
    const seen: Array<[string, Request]> = [];
    const run = queue.run((item, { key }) => void seen.push([key, item]));
    await settle();
    expect(seen).toEqual([
      ['c1/x', { cluster: 'c1', name: 'x' }],
      ['c2/x', { cluster: 'c2', name: 'x' }],
    ]);
    queue.shutdown();
    await run;

    // @ts-expect-error: non-string items need keyOf.
    expect(() => new WorkQueue<Request>().add({ cluster: 'c', name: 'n' })).toThrow(TypeError);
  });
});

describe('WorkQueue: delayed adds', () => {
  it('adds keys when their delay passes, earlier delays first', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    const { seen, process } = recordingProcessor();
    const run = queue.run(process);
    queue.addAfter('late', 30);
    queue.addAfter('early', 10);
    queue.addAfter('mid', 20);
    queue.addAfter('also-mid', 20);
    expect(queue.delayed).toBe(4);
    expect(queue.len).toBe(0);
    await tick(9);
    expect(seen).toEqual([]);
    await tick(1);
    expect(seen).toEqual(['early']);
    await tick(20);
    expect(seen).toEqual(['early', 'mid', 'also-mid', 'late']);
    expect(queue.delayed).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    queue.shutdown();
    await run;
  });

  it('keeps the earliest of several schedules of one key', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    const { seen, process } = recordingProcessor();
    const run = queue.run(process);
    queue.addAfter('k', 50);
    queue.addAfter('k', 10);
    queue.addAfter('k', 30);
    expect(queue.delayed).toBe(1);
    await tick(10);
    expect(seen).toEqual(['k']);
    // The superseded schedules never fire.
    await tick(100);
    expect(seen).toEqual(['k']);
    queue.shutdown();
    await run;
  });

  it('an immediate add does not wait for a pending delayed add; the delayed one dedups when it fires', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    queue.addAfter('k', 10);
    queue.add('k');
    expect(queue.len).toBe(1);
    await tick(10);
    expect(queue.len).toBe(1);
    expect(queue.delayed).toBe(0);

    // Processed meanwhile: the delayed add processes the key again, like client-go.
    const { seen, process } = recordingProcessor();
    queue.addAfter('k', 10);
    const run = queue.run(process);
    await tick(0);
    expect(seen).toEqual(['k']);
    await tick(10);
    expect(seen).toEqual(['k', 'k']);
    queue.shutdown();
    await run;
  });

  it('adds at once when the delay is not positive', () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    expect(queue.len).toBe(2);
    expect(queue.delayed).toBe(0);
  });

  it('does not keep the process alive with a pending delayed add, unless asked to', () => {
    const before = refTimers();
    const quiet = new WorkQueue();
    quiet.addAfter('k', 60_000);
    expect(refTimers()).toBe(before);
    const keepAlive = new WorkQueue({ keepAlive: true });
    keepAlive.addAfter('k', 60_000);
    expect(refTimers()).toBe(before + 1);
    keepAlive.shutdown();
    quiet.shutdown();
    expect(refTimers()).toBe(before);
  });

  it('waits with a single timer however many keys are delayed', () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    for (let i = 0; i < 1000; i++) queue.addAfter(`k${i}`, 1000 - i);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(queue.len).toBe(1000);
    expect(vi.getTimerCount()).toBe(0);
    queue.shutdown();
  });
});

describe('WorkQueue: rate limiting', () => {
  it('retries a failing key with growing backoff, counts retries, and forget resets it', async () => {
    vi.useFakeTimers();
    const retried: string[] = [];
    const queue = new WorkQueue({
      rateLimiter: new ExponentialBackoffLimiter(),
      observer: { retried: (key) => retried.push(key) },
    });
    const startedAt: number[] = [];
    const retriesSeen: number[] = [];
    const run = queue.run((key) => {
      startedAt.push(performance.now());
      retriesSeen.push(queue.retries(key));
      // Fail four times, then succeed.
      if (startedAt.length <= 4) queue.addRateLimited(key);
      else queue.forget(key);
    });
    const t0 = performance.now();
    queue.add('k');
    await tick(1000);
    expect(startedAt.map((t) => t - t0)).toEqual([0, 5, 15, 35, 75]);
    expect(retriesSeen).toEqual([0, 1, 2, 3, 4]);
    expect(retried).toEqual(['k', 'k', 'k', 'k']);
    expect(queue.retries('k')).toBe(0);

    // After forget, the next failure starts from the base delay again.
    queue.addRateLimited('k');
    expect(queue.delayed).toBe(1);
    await tick(4);
    expect(startedAt).toHaveLength(5);
    await tick(1);
    expect(startedAt).toHaveLength(6);
    queue.shutdown();
    await run;
  });

  it('uses the default limiter: immediate within the burst of 100, then spaced by the bucket', () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    // Each fresh key backs off 5 ms; the shared bucket adds nothing for the first 100.
    for (let i = 0; i < 100; i++) queue.addRateLimited(`k${i}`);
    expect(queue.delayed).toBe(100);
    vi.advanceTimersByTime(5);
    expect(queue.len).toBe(100);
    queue.addRateLimited('k100');
    queue.addRateLimited('k101');
    vi.advanceTimersByTime(94);
    expect(queue.len).toBe(100);
    vi.advanceTimersByTime(1);
    expect(queue.len).toBe(101);
    vi.advanceTimersByTime(100);
    expect(queue.len).toBe(102);
    queue.shutdown();
  });
});

describe('WorkQueue: shutdown', () => {
  it('stops intake, drops waiting keys, cancels delayed adds and ends the run', async () => {
    vi.useFakeTimers();
    const depths: number[] = [];
    const queue = new WorkQueue({ observer: { depthChanged: (depth) => depths.push(depth) } });
    const { seen, process } = recordingProcessor();
    queue.add('waiting');
    queue.addAfter('delayed', 10);
    queue.shutdown();
    expect(queue.isShutDown).toBe(true);
    expect(queue.len).toBe(0);
    expect(queue.delayed).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(depths).toEqual([1, 0]);

    queue.add('late');
    queue.addAfter('late', 5);
    queue.addRateLimited('late');
    expect(queue.retries('late')).toBe(0);
    await tick(100);
    expect(queue.len).toBe(0);

    await queue.run(process);
    expect(seen).toEqual([]);
    queue.shutdown();
  });

  it('a running loop stops taking keys but lets in-flight processing finish', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    let runEnded = false;
    const run = queue.run(worker.process, { concurrency: 2 }).then(() => {
      runEnded = true;
    });
    queue.add('a');
    await settle();
    queue.add('b');
    queue.add('a');
    queue.shutdown();
    await settle();
    // b never starts even though a slot is free, and a is not reprocessed although it was dirty.
    expect(worker.started).toEqual(['a']);
    expect(worker.gates[0]?.context.signal.aborted).toBe(false);
    expect(runEnded).toBe(false);
    worker.release('a');
    await run;
    expect(worker.started).toEqual(['a']);
    expect(queue.processing).toBe(0);
  });

  it('shutdownWithDrain waits for in-flight processing', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 2 });
    queue.add('a');
    queue.add('b');
    await settle();
    let result: unknown;
    const drain = queue.shutdownWithDrain({ deadlineMs: 10_000 }).then((r) => {
      result = r;
    });
    queue.add('c');
    worker.release('a');
    await settle();
    expect(result).toBeUndefined();
    worker.release('b');
    await drain;
    expect(result).toEqual({ drained: true, unfinishedKeys: [] });
    expect(worker.started).toEqual(['a', 'b']);
    await run;
  });

  it('shutdownWithDrain gives up at the deadline, reports unfinished keys and aborts their signal', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 2 });
    queue.add('fast');
    queue.add('stuck');
    await tick(0);
    let result: unknown;
    const drain = queue.shutdownWithDrain({ deadlineMs: 1000 }).then((r) => {
      result = r;
    });
    worker.release('fast');
    await tick(999);
    expect(result).toBeUndefined();
    const stuck = worker.gates[0];
    expect(stuck?.context.signal.aborted).toBe(false);
    await tick(1);
    await drain;
    expect(result).toEqual({ drained: false, unfinishedKeys: ['stuck'] });
    expect(stuck?.context.signal.aborted).toBe(true);
    expect(stuck?.context.signal.reason).toMatchObject({ name: 'TimeoutError' });
    worker.release('stuck');
    await run;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shutdownWithDrain resolves at once when nothing is in flight', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    await expect(queue.shutdownWithDrain()).resolves.toEqual({ drained: true, unfinishedKeys: [] });
  });
});

describe('WorkQueue: run', () => {
  it('survives processors that throw or reject, reports them to onError, and keeps working', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const errors: Array<[unknown, WorkQueueErrorContext]> = [];
      const queue = new WorkQueue({ onError: (error, context) => errors.push([error, context]) });
      const seen: string[] = [];
      const run = queue.run(
        (key) => {
          seen.push(key);
          if (key === 'throws') throw new Error('sync boom');
          if (key === 'rejects') return Promise.reject(new Error('async boom'));
          if (key === 'rejects-later') return nextTurn().then(() => Promise.reject(new Error('later boom')));
          return undefined;
        },
        { concurrency: 1 },
      );
      for (const key of ['throws', 'ok1', 'rejects', 'ok2', 'rejects-later', 'ok3']) queue.add(key);
      await settle();
      await settle();
      expect(seen).toEqual(['throws', 'ok1', 'rejects', 'ok2', 'rejects-later', 'ok3']);
      expect(errors.map(([error, context]) => [(error as Error).message, context])).toEqual([
        ['sync boom', { source: 'processor', key: 'throws' }],
        ['async boom', { source: 'processor', key: 'rejects' }],
        ['later boom', { source: 'processor', key: 'rejects-later' }],
      ]);
      // A failed key is done like any other: it can be added and processed again.
      queue.add('throws');
      await settle();
      expect(seen.at(-1)).toBe('throws');
      expect(queue.processing).toBe(0);
      queue.shutdown();
      await run;
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('an onError hook that throws does not break the worker', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const queue = new WorkQueue({
        onError: () => {
          throw new Error('hook broke');
        },
      });
      const seen: string[] = [];
      const run = queue.run((key) => {
        seen.push(key);
        throw new Error(`failed ${key}`);
      });
      queue.add('a');
      queue.add('b');
      await settle();
      expect(seen).toEqual(['a', 'b']);
      expect(logged).toHaveBeenCalledTimes(4);
      queue.shutdown();
      await run;
    } finally {
      logged.mockRestore();
    }
  });

  it('aborting the run signal stops taking keys and aborts in-flight processing, leaving the queue open', async () => {
    const queue = new WorkQueue();
    const worker = gatedProcessor();
    const controller = new AbortController();
    let runEnded = false;
    const run = queue.run(worker.process, { concurrency: 1, signal: controller.signal }).then(() => {
      runEnded = true;
    });
    queue.add('a');
    queue.add('b');
    await settle();
    const inFlight = worker.gates[0];
    controller.abort(new Error('stop'));
    expect(inFlight?.context.signal.aborted).toBe(true);
    expect(inFlight?.context.signal.reason).toEqual(new Error('stop'));
    await settle();
    expect(runEnded).toBe(false);
    worker.release('a');
    await run;
    expect(worker.started).toEqual(['a']);
    expect(queue.isShutDown).toBe(false);
    expect(queue.len).toBe(1);

    // A new run picks up where the old one stopped.
    const { seen, process } = recordingProcessor();
    const next = queue.run(process);
    await settle();
    expect(seen).toEqual(['b']);
    queue.shutdown();
    await next;
  });

  it('a run with an already aborted signal ends at once', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const { seen, process } = recordingProcessor();
    await queue.run(process, { signal: AbortSignal.abort() });
    expect(seen).toEqual([]);
    expect(queue.len).toBe(1);
  });

  it('allows one run at a time and validates concurrency', async () => {
    const queue = new WorkQueue();
    const run = queue.run(() => {});
    await expect(queue.run(() => {})).rejects.toThrow(/already running/);
    await expect(new WorkQueue().run(() => {}, { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(new WorkQueue().run(() => {}, { concurrency: 1.5 })).rejects.toThrow(RangeError);
    queue.shutdown();
    await run;
  });

  it('runs processors in the async context of run(), not in that of the add or of the previous key', async () => {
    const storage = new AsyncLocalStorage<string>();
    const queue = new WorkQueue();
    const seen: Array<string | undefined> = [];
    const run = storage.run('run', () =>
      queue.run((key) => {
        seen.push(storage.getStore());
        // b is added, and so the loop woken, from inside the processing context of a.
        if (key === 'a') storage.run('processing a', () => queue.add('b'));
      }),
    );
    const unscoped = new WorkQueue();
    const seenUnscoped: Array<string | undefined> = [];
    const otherRun = unscoped.run(() => void seenUnscoped.push(storage.getStore()));
    // Let the runs start first, so that the adds below are what wakes them.
    await settle();
    storage.run('adder', () => {
      queue.add('a');
      unscoped.add('x');
    });
    await settle();
    expect(seen).toEqual(['run', 'run']);
    expect(seenUnscoped).toEqual([undefined]);
    queue.shutdown();
    unscoped.shutdown();
    await Promise.all([run, otherRun]);
  });

  it('does not run a processor synchronously inside add()', async () => {
    const queue = new WorkQueue();
    const { seen, process } = recordingProcessor();
    const run = queue.run(process);
    queue.add('a');
    expect(seen).toEqual([]);
    await settle();
    expect(seen).toEqual(['a']);
    queue.shutdown();
    await run;
  });
});

describe('WorkQueue: metrics', () => {
  it('reports adds, depth, queue latency, work duration and unfinished work', async () => {
    vi.useFakeTimers();
    const events: string[] = [];
    const observer: WorkQueueObserver = {
      added: (key) => events.push(`added ${key}`),
      depthChanged: (depth) => events.push(`depth ${depth}`),
      taken: (key, queuedMs) => events.push(`taken ${key} after ${queuedMs}`),
      finished: (key, workMs) => events.push(`finished ${key} after ${workMs}`),
      retried: (key) => events.push(`retried ${key}`),
    };
    const queue = new WorkQueue({
      observer,
      rateLimiter: new ExponentialBackoffLimiter({ baseDelayMs: 10 }),
    });
    queue.add('a');
    queue.add('a');
    await tick(50);
    queue.add('b');
    await tick(20);
    const worker = gatedProcessor();
    const run = queue.run(worker.process, { concurrency: 2 });
    await tick(0);
    expect(queue.processing).toBe(2);
    await tick(30);
    expect(queue.longestRunningProcessorMs).toBe(30);
    expect(queue.unfinishedWorkMs).toBe(60);
    worker.release('b');
    await tick(10);
    expect(queue.longestRunningProcessorMs).toBe(40);
    expect(queue.unfinishedWorkMs).toBe(40);
    queue.add('a');
    queue.addRateLimited('c');
    worker.release('a');
    await tick(0);
    expect(events).toEqual([
      'added a',
      'depth 1',
      'added b',
      'depth 2',
      'depth 1',
      'taken a after 70',
      'depth 0',
      'taken b after 20',
      'finished b after 30',
      // a was added while processing: counted as an add, enters the depth when its processing ends.
      'added a',
      'retried c',
      'finished a after 40',
      'depth 1',
      'depth 0',
      'taken a after 0',
    ]);
    expect(queue.unfinishedWorkMs).toBe(0);
    await tick(10);
    expect(events.slice(-4)).toEqual(['added c', 'depth 1', 'depth 0', 'taken c after 0']);
    worker.release('a');
    worker.release('c');
    queue.shutdown();
    await run;
    expect(queue.longestRunningProcessorMs).toBe(0);
  });

  it('a throwing observer is reported and does not disturb the queue', async () => {
    const errors: WorkQueueErrorContext[] = [];
    const queue = new WorkQueue({
      observer: {
        taken: () => {
          throw new Error('metrics broke');
        },
      },
      onError: (_error, context) => errors.push(context),
    });
    const { seen, process } = recordingProcessor();
    const run = queue.run(process);
    queue.add('a');
    queue.add('b');
    await settle();
    expect(seen).toEqual(['a', 'b']);
    expect(errors).toEqual([
      { source: 'observer', key: 'a' },
      { source: 'observer', key: 'b' },
    ]);
    expect(queue.processing).toBe(0);
    queue.shutdown();
    await run;
  });
});
