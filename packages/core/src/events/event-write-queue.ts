import PQueue from 'p-queue';

/**
 * How many Event writes may be in flight at once over one connection pool. Every engaged cluster has an
 * event recorder of its own, and the first reconcile of a large fleet records an Event in each: without a
 * bound, 1,000 workspaces send 1,000 writes at once, which takes the API server's stream limit on one
 * HTTP/2 connection (kcp and kube-apiserver advertise 100) ten times over, so the pool opens connection
 * after connection, and the burst competes with the watches and the reconcilers' own requests. Events are
 * best effort; client-go writes each broadcaster's Events one after another.
 */
export const EVENT_WRITES_PER_POOL = 16;

/** The write queue of each connection pool (any object standing for one), made on first use. */
const queueByPool = new WeakMap<object, PQueue>();

/** The queue Event writes over `pool` share: at most {@link EVENT_WRITES_PER_POOL} run at once, the rest wait in order. */
export function eventWriteQueue(pool: object): PQueue {
  let queue = queueByPool.get(pool);
  if (!queue) {
    queue = new PQueue({ concurrency: EVENT_WRITES_PER_POOL });
    queueByPool.set(pool, queue);
  }
  return queue;
}
