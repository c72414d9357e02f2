import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterNotFoundError } from '../cluster/cluster.ts';
import { JsonLogger } from '../log/json-logger.ts';
import type { RateLimiter } from '../queue/rate-limiter.ts';
import { type ReconcileContext, type Reconciler, type Request, TerminalError } from '../reconcile/request.ts';
import { waitFor } from '../util/wait-for.ts';
import { memoryLogger, recordingMetrics, stubCluster } from './cluster-fixture.test.support.ts';
import { Controller, type ControllerOptions } from './controller.ts';

/** A rate limiter with a fixed short delay that records what the controller asked of it. */
function recordingLimiter(delayMs = 5): RateLimiter & { whens: string[]; forgets: string[] } {
  const whens: string[] = [];
  const forgets: string[] = [];
  return {
    whens,
    forgets,
    when: (key) => {
      whens.push(key);
      return delayMs;
    },
    forget: (key) => {
      forgets.push(key);
    },
    retries: (key) => whens.filter((k) => k === key).length,
  };
}

const req = (name: string, cluster = 'c1', namespace = 'ns'): Request => ({ cluster, namespace, name });
const until = (probe: () => boolean, what: string) =>
  waitFor(probe, { what, timeoutMs: 5_000, intervalMs: 5 });

/** Controllers started by a test, stopped after it. */
const running: Array<{ stop: AbortController; done: Promise<void> }> = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done.catch(() => {});
  }
});

/** A controller with one engaged stub cluster (`c1`), started; `done` is start()'s promise. */
async function startController(reconciler: Reconciler, options: ControllerOptions = {}) {
  const controller = new Controller('test', reconciler, { gracefulShutdownMs: 1_000, ...options });
  const engagement = new AbortController();
  await controller.engage('c1', stubCluster('c1'), engagement.signal);
  const stop = new AbortController();
  const done = controller.start(stop.signal);
  running.push({ stop, done });
  return { controller, engagement, stop, done };
}

describe('Controller reconcile results', () => {
  it('reconciles again after requeueAfter, forgetting the backoff', async () => {
    const limiter = recordingLimiter();
    const times: number[] = [];
    const { controller } = await startController(
      async () => {
        times.push(performance.now());
        return times.length === 1 ? { requeueAfter: 80 } : undefined;
      },
      { rateLimiter: limiter },
    );
    controller.enqueue(req('a'));
    await until(() => times.length === 2, 'the delayed second reconcile');
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(75);
    expect(limiter.whens).toEqual([]);
    expect(limiter.forgets).toEqual(['c1|ns/a', 'c1|ns/a']);
  });

  it('requeues { requeue: true } through the rate limiter', async () => {
    const limiter = recordingLimiter();
    let calls = 0;
    const { controller } = await startController(async () => (++calls < 3 ? { requeue: true } : {}), {
      rateLimiter: limiter,
    });
    controller.enqueue(req('a'));
    await until(() => calls === 3, 'three reconciles');
    await sleep(30);
    expect(calls).toBe(3);
    expect(limiter.whens).toEqual(['c1|ns/a', 'c1|ns/a']);
    expect(limiter.forgets).toEqual(['c1|ns/a']);
  });

  it('retries thrown errors with backoff until the reconcile succeeds', async () => {
    const limiter = recordingLimiter();
    const metrics = recordingMetrics();
    let calls = 0;
    const { controller } = await startController(
      async () => {
        if (++calls < 3) throw new Error('transient');
      },
      { rateLimiter: limiter, metrics },
    );
    controller.enqueue(req('a'));
    await until(() => metrics.count('reconcileFinished:success,c1') === 1, 'the successful reconcile');
    expect(calls).toBe(3);
    expect(limiter.whens).toEqual(['c1|ns/a', 'c1|ns/a']);
    expect(limiter.forgets).toEqual(['c1|ns/a']);
    expect(metrics.count('reconcileFinished:error,c1')).toBe(2);
    expect(metrics.count('reconcileError:false')).toBe(2);
  });

  it('does not retry a TerminalError', async () => {
    const limiter = recordingLimiter();
    const metrics = recordingMetrics();
    const logger = memoryLogger();
    let calls = 0;
    const { controller } = await startController(
      async () => {
        calls++;
        throw new TerminalError('spec.size must be positive');
      },
      { rateLimiter: limiter, metrics, logger },
    );
    controller.enqueue(req('a'));
    await until(() => metrics.count('reconcileFinished:error,c1') === 1, 'the failed reconcile');
    await sleep(50);
    expect(calls).toBe(1);
    expect(limiter.whens).toEqual([]);
    expect(metrics.count('reconcileError:true')).toBe(1);
    expect(logger.lines.some((l) => l.level === 'error' && /terminal/.test(l.msg))).toBe(true);
  });

  it('counts a thrown non-Error as a panic, retries it and keeps running', async () => {
    const limiter = recordingLimiter();
    const metrics = recordingMetrics();
    let calls = 0;
    const { controller } = await startController(
      async () => {
        calls++;
        if (calls === 1) throw 'a string';
        if (calls === 2) return Promise.reject({ not: 'an error' });
        return undefined;
      },
      { rateLimiter: limiter, metrics },
    );
    controller.enqueue(req('a'));
    await until(() => metrics.count('reconcileFinished:success,c1') === 1, 'recovery after two panics');
    expect(calls).toBe(3);
    expect(metrics.count('reconcilePanic')).toBe(2);
    expect(limiter.whens).toHaveLength(2);
    controller.enqueue(req('b'));
    await until(() => calls === 4, 'a later request is still processed');
  });

  it('with recoverPanics false, a panic stops the controller and start rejects', async () => {
    const metrics = recordingMetrics();
    const { controller, done } = await startController(
      async (request) => {
        if (request.name === 'bad') throw 42;
      },
      { recoverPanics: false, metrics },
    );
    controller.enqueue(req('bad'));
    await expect(done).rejects.toThrow(/threw a non-Error \(number 42\) and recoverPanics is false/);
    expect(metrics.count('reconcilePanic')).toBe(1);
  });

  it('aborts the signal of a reconcile that exceeds reconcileTimeoutMs and retries it', async () => {
    const limiter = recordingLimiter();
    const metrics = recordingMetrics();
    const reasons: unknown[] = [];
    const { controller } = await startController(
      async (_request, ctx) => {
        if (reasons.length > 0) return;
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        reasons.push(ctx.signal.reason);
        ctx.signal.throwIfAborted();
      },
      { reconcileTimeoutMs: 40, rateLimiter: limiter, metrics },
    );
    controller.enqueue(req('slow'));
    await until(() => metrics.count('reconcileFinished:success,c1') === 1, 'the retry after the timeout');
    expect((reasons[0] as DOMException).name).toBe('TimeoutError');
    expect(metrics.count('reconcileTimeout')).toBe(1);
    expect(limiter.whens).toEqual(['c1|ns/slow']);
  });

  it('drops requests whose cluster is not engaged, and requests whose reconcile finds the cluster gone', async () => {
    const limiter = recordingLimiter();
    const seen: string[] = [];
    const { controller } = await startController(
      async (request) => {
        seen.push(request.name);
        throw new ClusterNotFoundError(request.cluster);
      },
      { rateLimiter: limiter },
    );
    controller.enqueue(req('elsewhere', 'never-engaged'));
    controller.enqueue(req('gone'));
    await until(() => seen.length === 1, 'the reconcile of the engaged cluster');
    await sleep(30);
    expect(seen).toEqual(['gone']);
    expect(limiter.whens).toEqual([]);
  });

  it('passes a logger bound to controller, cluster, namespace, name and a fresh reconcileID', async () => {
    const logger = memoryLogger();
    const contexts: ReconcileContext[] = [];
    const { controller } = await startController(
      async (_request, ctx) => {
        contexts.push(ctx);
        ctx.log.info('hello');
      },
      { logger },
    );
    controller.enqueue(req('a'));
    await until(() => contexts.length === 1, 'first reconcile');
    controller.enqueue(req('a'));
    await until(() => contexts.length === 2, 'second reconcile');
    const hellos = logger.lines.filter((l) => l.msg === 'hello');
    expect(hellos[0]?.bindings).toEqual({
      controller: 'test',
      cluster: 'c1',
      namespace: 'ns',
      name: 'a',
      reconcileID: contexts[0]?.reconcileID,
    });
    expect(contexts[0]?.reconcileID).toMatch(/^[0-9a-f-]{36}$/);
    expect(contexts[1]?.reconcileID).not.toBe(contexts[0]?.reconcileID);
    expect(contexts[0]?.cluster.name).toBe('c1');
  });

  it("writes a failed reconcile as JSON with controller-runtime's keys, the error under error", async () => {
    const written: string[] = [];
    const logger = new JsonLogger({ destination: { write: (chunk: string) => void written.push(chunk) } });
    const { controller } = await startController(
      async () => {
        throw new Error('the database rejected Bearer sk-live-123456');
      },
      {
        logger,
        reconciles: { group: 'shop.example.io', kind: 'Order' },
        rateLimiter: recordingLimiter(60_000),
      },
    );
    controller.enqueue(req('a'));
    await until(() => written.some((l) => l.includes('reconcile failed')), 'the failure to be logged');
    const line = JSON.parse(written.find((l) => l.includes('reconcile failed')) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(Object.keys(line)).toEqual([
      'level',
      'time',
      'controller',
      'controllerGroup',
      'controllerKind',
      'cluster',
      'namespace',
      'name',
      'reconcileID',
      'error',
      'msg',
    ]);
    expect(line).toMatchObject({
      level: 'error',
      controller: 'test',
      controllerGroup: 'shop.example.io',
      controllerKind: 'Order',
      cluster: 'c1',
      namespace: 'ns',
      name: 'a',
      error: { type: 'Error', message: 'the database rejected Bearer [REDACTED]' },
      msg: 'reconcile failed; retrying with backoff',
    });
    expect(written.join('')).not.toContain('sk-live-123456');
  });

  it('reports outcomes with their cluster, active workers and the concurrency limit to metrics', async () => {
    const metrics = recordingMetrics();
    let calls = 0;
    const { controller } = await startController(
      async () => (++calls === 1 ? { requeueAfter: 5 } : undefined),
      { metrics, maxConcurrentReconciles: 2 },
    );
    controller.enqueue(req('a'));
    await until(() => metrics.count('reconcileFinished:success,c1') === 1, 'both reconciles');
    expect(metrics.calls).toEqual([
      'maxConcurrentReconciles:2',
      'activeWorkers:1',
      'activeWorkers:-1',
      'reconcileFinished:requeue_after,c1',
      'activeWorkers:1',
      'activeWorkers:-1',
      'reconcileFinished:success,c1',
    ]);
  });
});

describe('Controller concurrency and shutdown', () => {
  it('runs at most maxConcurrentReconciles at once and never one key twice at once', async () => {
    let active = 0;
    let maxActive = 0;
    const activeKeys = new Set<string>();
    let overlaps = 0;
    let done = 0;
    const { controller } = await startController(
      async (request) => {
        if (activeKeys.has(request.name)) overlaps++;
        activeKeys.add(request.name);
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(15);
        active--;
        activeKeys.delete(request.name);
        done++;
      },
      { maxConcurrentReconciles: 3 },
    );
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) controller.enqueue(req(`k${i}`));
      await sleep(10);
    }
    await until(() => done >= 8 && active === 0 && controller.engagedClusters.length === 1, 'all reconciles');
    await sleep(50);
    expect(maxActive).toBe(3);
    expect(overlaps).toBe(0);
  });

  it('lets in-flight reconciles finish on stop, without aborting their signal', async () => {
    let finished = false;
    let abortedDuring = false;
    const { controller, stop, done } = await startController(async (_request, ctx) => {
      await sleep(100);
      abortedDuring = ctx.signal.aborted;
      finished = true;
    });
    controller.enqueue(req('a'));
    await sleep(20);
    stop.abort();
    await done;
    expect(finished).toBe(true);
    expect(abortedDuring).toBe(false);
  });

  it('aborts in-flight reconciles when the graceful shutdown period passes', async () => {
    let started = false;
    let abortReason: unknown;
    const { controller, stop, done } = await startController(
      async (_request, ctx) => {
        started = true;
        // Ends only when its signal aborts, so the controller can stop only by giving up on it.
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        abortReason = ctx.signal.reason;
      },
      { gracefulShutdownMs: 50 },
    );
    controller.enqueue(req('stuck'));
    await until(() => started, 'the reconcile to start');
    stop.abort();
    await done;
    await until(() => abortReason !== undefined, 'the reconcile to see its signal aborted');
    expect(String(abortReason)).toMatch(/drain deadline/);
  });

  it('queues requests engaged before start and processes them once started', async () => {
    const seen: string[] = [];
    const controller = new Controller('early', async (request) => {
      seen.push(request.name);
    });
    await controller.engage('c1', stubCluster('c1'), new AbortController().signal);
    controller.enqueue(req('queued'));
    await sleep(20);
    expect(seen).toEqual([]);
    const stop = new AbortController();
    running.push({ stop, done: controller.start(stop.signal) });
    await until(() => seen.length === 1, 'the queued request');
    await expect(controller.start(stop.signal)).rejects.toThrow(/start was called twice/);
  });

  it('aborts the signal of a reconcile whose cluster is disengaged, and does not retry it', async () => {
    const limiter = recordingLimiter();
    let reason: unknown;
    let calls = 0;
    const { controller, engagement } = await startController(
      async (_request, ctx) => {
        calls++;
        await sleep(10_000, undefined, { signal: ctx.signal }).catch(() => {});
        reason = ctx.signal.reason;
        throw new Error('interrupted');
      },
      { rateLimiter: limiter },
    );
    controller.enqueue(req('a'));
    await until(() => calls === 1, 'the reconcile to start');
    engagement.abort(new Error('workspace deleted'));
    await until(() => reason !== undefined, 'the reconcile to see the abort');
    await sleep(30);
    expect(String(reason)).toMatch(/workspace deleted/);
    expect(calls).toBe(1);
    expect(limiter.whens).toEqual([]);
  });

  it('drops requests of a cluster disengaged while they wait or back off', async () => {
    const limiter = recordingLimiter(60);
    const seen: string[] = [];
    const { controller, engagement } = await startController(
      async (request) => {
        seen.push(request.name);
        throw new Error('keeps failing');
      },
      { rateLimiter: limiter },
    );
    controller.enqueue(req('a'));
    await until(() => seen.length === 1, 'first attempt');
    engagement.abort();
    expect(controller.engagedClusters).toEqual([]);
    controller.enqueue(req('b'));
    await sleep(150);
    expect(seen).toEqual(['a']);
    expect(limiter.whens).toEqual(['c1|ns/a']);
  });
});
