/** One running interval timer and the callbacks it calls. */
interface Ticker {
  timer: NodeJS.Timeout;
  callbacks: Set<() => void>;
}

const tickers = new Map<number, Ticker>();

/**
 * Calls `callback` every `periodMs` milliseconds until the returned function is called, on one timer shared
 * by every callback with the same period. Periodic checks (a watch's inactivity check, a followed object's
 * re-check) then wake an idle process once per period whatever their number, instead of once per check:
 * each wake-up of an idle Node process costs CPU of its own, more than the checks it runs.
 *
 * The timer does not keep the process alive (it is unref'd) and stops when its last callback leaves.
 * A callback that throws does not stop the others; its error is then thrown from a microtask, an uncaught
 * exception as a throwing timer callback's would be.
 *
 * @param periodMs - the period, rounded to whole milliseconds (at least 1).
 * @returns a function that stops calling `callback` (safe to call more than once).
 */
export function onEveryTick(periodMs: number, callback: () => void): () => void {
  const period = Math.max(1, Math.round(periodMs));
  let ticker = tickers.get(period);
  if (!ticker) {
    const callbacks = new Set<() => void>();
    const timer = setInterval(() => tick(callbacks), period);
    timer.unref();
    ticker = { timer, callbacks };
    tickers.set(period, ticker);
  }
  // A wrapper per subscription: the same function subscribed twice is called twice and left twice.
  const entry = (): void => callback();
  ticker.callbacks.add(entry);
  const own = ticker;
  return () => {
    if (!own.callbacks.delete(entry) || own.callbacks.size > 0) return;
    clearInterval(own.timer);
    if (tickers.get(period) === own) tickers.delete(period);
  };
}

/** Number of shared timers running now (one per distinct period in use); for tests and diagnostics. */
export function sharedTickerCount(): number {
  return tickers.size;
}

function tick(callbacks: Set<() => void>): void {
  // A copy: callbacks may subscribe or unsubscribe (themselves or others) while the tick runs; one
  // unsubscribed meanwhile is not called.
  for (const callback of Array.from(callbacks)) {
    if (!callbacks.has(callback)) continue;
    try {
      callback();
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
