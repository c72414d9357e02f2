/** Longest pause between two warnings about the same hung reconcile. */
const MAX_WARN_INTERVAL_MS = 10 * 60_000;

/** Grace a reconcile gets, after its timeout aborted its signal, to settle before it counts as hung. */
export function hangGraceMs(reconcileTimeoutMs: number): number {
  // A reconciler that honours its signal settles within moments of the abort (its requests are cancelled),
  // so a short grace suffices; a short timeout gets an equally short grace, which keeps tests quick.
  return Math.min(reconcileTimeoutMs, 5_000);
}

/** What {@link watchForHang} does when a reconcile hangs. */
export interface HangHandlers {
  /** The reconcile has not settled `graceMs` after its signal was aborted: called once. */
  onHung(): void;
  /**
   * Called when it hangs and again, at doubling intervals up to 10 minutes, while it stays hung, with how
   * long it has been running.
   */
  warn(runningMs: number): void;
}

/**
 * Starts watching a reconcile whose signal was just aborted by its timeout: if it has not settled `graceMs`
 * later, it is hung (a reconciler that ignores its signal) and `handlers` are called. Returns the function
 * to call when the reconcile settles, which ends the watch.
 */
export function watchForHang(startedAt: number, graceMs: number, handlers: HangHandlers): () => void {
  let timer: NodeJS.Timeout | undefined;
  let intervalMs = Math.max(graceMs, 1);
  const warnAgain = (): void => {
    handlers.warn(performance.now() - startedAt);
    intervalMs = Math.min(intervalMs * 2, MAX_WARN_INTERVAL_MS);
    timer = setTimeout(warnAgain, intervalMs).unref();
  };
  timer = setTimeout(() => {
    handlers.onHung();
    warnAgain();
  }, graceMs).unref();
  return () => clearTimeout(timer);
}

/** A duration for log messages: `850 ms`, `12.3 s`, `7 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
