/**
 * How many Event writes may be in flight at once over one connection pool. Every engaged cluster has an
 * event recorder of its own, and the first reconcile of a large fleet records an Event in each: without a
 * bound, 1,000 workspaces send 1,000 writes at once, which takes the API server's stream limit on one
 * HTTP/2 connection (kcp and kube-apiserver advertise 100) ten times over, so the pool opens connection
 * after connection, and the burst competes with the watches and the reconcilers' own requests. Events are
 * best effort; client-go writes each broadcaster's Events one after another.
 */
export const EVENT_WRITES_PER_POOL = 16;

/** A counting semaphore: at most `limit` calls of {@link WriteSlots.run} run at once; the rest wait in order. */
export class WriteSlots {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Calls in flight now. */
  get running(): number {
    return this.#running;
  }

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `write` once a slot is free and frees the slot when it settles, whatever its outcome. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await write();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `running` never drops below the limit while
      // writes wait, and a newcomer cannot overtake them.
      if (next) next();
      else this.#running--;
    }
  }
}

/** The slots of each connection pool (any object standing for one), made on first use. */
const slotsByPool = new WeakMap<object, WriteSlots>();

/** The {@link WriteSlots} Event writes over `pool` share. */
export function eventWriteSlots(pool: object): WriteSlots {
  let slots = slotsByPool.get(pool);
  if (!slots) {
    slots = new WriteSlots(EVENT_WRITES_PER_POOL);
    slotsByPool.set(pool, slots);
  }
  return slots;
}
