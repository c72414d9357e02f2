/** One scheduled add; `seq` keeps equal times in the order they were scheduled. */
interface DelayedEntry<T> {
  readonly key: string;
  readonly item: T;
  readonly readyAt: number;
  readonly seq: number;
}

/** setTimeout cannot wait longer than this; a longer wait is re-armed when the timer fires. */
const maxTimerDelayMs = 2_147_483_647;

/** Options for {@link DelayedAdds}. */
export interface DelayedAddsOptions {
  /** Whether the pending timer keeps the Node.js process alive (default: it does not, it is unref'd). */
  keepAlive: boolean;
}

/**
 * The delayed adds of a work queue: a min-heap of (ready time, key) with one map entry per key, so that the
 * earliest schedule of a key wins, and a single timer armed for the earliest entry. Nothing runs while
 * nothing is scheduled, and the cost of a schedule is O(log n) however many keys wait.
 *
 * Internal to the queue folder; the queue decides what happens to a key when it is due.
 */
export class DelayedAdds<T> {
  readonly #fire: (key: string, item: T) => void;
  readonly #keepAlive: boolean;
  // Entries superseded by an earlier schedule of the same key stay in the heap until they surface and are
  // skipped (lazy deletion); `#byKey` holds the live entry of each key.
  #heap: DelayedEntry<T>[] = [];
  readonly #byKey = new Map<string, DelayedEntry<T>>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** `fire` is called once per due key, earliest first, with the item of its live schedule. */
  constructor(fire: (key: string, item: T) => void, options: DelayedAddsOptions) {
    this.#fire = fire;
    this.#keepAlive = options.keepAlive;
  }

  /** Keys with a pending delayed add. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Schedules `key` to fire after `delayMs`, unless it is already due at that time or earlier. */
  schedule(key: string, item: T, delayMs: number): void {
    const readyAt = performance.now() + delayMs;
    const live = this.#byKey.get(key);
    if (live && live.readyAt <= readyAt) return;
    const entry: DelayedEntry<T> = { key, item, readyAt, seq: this.#seq++ };
    this.#byKey.set(key, entry);
    this.#push(entry);
    if (this.#heap.length > 2 * this.#byKey.size + 64) this.#compact();
    this.#arm();
  }

  /** Drops every pending add and the timer. */
  clear(): void {
    this.#heap = [];
    this.#byKey.clear();
    this.#disarm();
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: DelayedEntry<T>[] = [];
    for (let head = this.#liveHead(); head && head.readyAt <= now; head = this.#liveHead()) {
      this.#pop();
      this.#byKey.delete(head.key);
      due.push(head);
    }
    // Arm before firing: the callbacks may schedule again.
    this.#arm();
    for (const entry of due) this.#fire(entry.key, entry.item);
  }

  #arm(): void {
    const head = this.#liveHead();
    if (!head) {
      this.#disarm();
      return;
    }
    if (this.#timer && this.#timerAt <= head.readyAt) return;
    this.#disarm();
    const delay = Math.min(Math.max(0, Math.ceil(head.readyAt - performance.now())), maxTimerDelayMs);
    this.#timerAt = head.readyAt;
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    if (!this.#keepAlive) this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** The earliest live entry, discarding superseded ones on the way. */
  #liveHead(): DelayedEntry<T> | undefined {
    for (let head = this.#heap[0]; head; head = this.#heap[0]) {
      if (this.#byKey.get(head.key) === head) return head;
      this.#pop();
    }
    return undefined;
  }

  /** Rebuilds the heap from the live entries once superseded ones dominate it. */
  #compact(): void {
    // A sorted array is a valid min-heap.
    this.#heap = [...this.#byKey.values()].toSorted((a, b) => (earlier(a, b) ? -1 : 1));
  }

  #push(entry: DelayedEntry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEntry = heap[parent] as DelayedEntry<T>;
      if (!earlier(entry, parentEntry)) break;
      heap[index] = parentEntry;
      index = parent;
    }
    heap[index] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const leftEntry = heap[left] as DelayedEntry<T>;
      const rightEntry = heap[right];
      const [child, childEntry] =
        rightEntry && earlier(rightEntry, leftEntry) ? [right, rightEntry] : [left, leftEntry];
      if (!earlier(childEntry, last)) break;
      heap[index] = childEntry;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier<T>(a: DelayedEntry<T>, b: DelayedEntry<T>): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}
