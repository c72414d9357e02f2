import type { Logger } from '@kubeloom/core';

/** Options for {@link ProblemLog}. */
export interface ProblemLogOptions {
  /** Delay before a persisting problem is logged a second time. Default 30 s; doubles each time. */
  firstRepeatMs?: number;
  /** Longest delay between two lines about the same persisting problem. Default 10 min. */
  maxRepeatMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Logs a provider's current problem loudly but not on every retry: a new (or changed) problem is logged at
 * once, the same problem again after 30 s, 60 s, 120 s… (capped), and its resolution once, at info. A
 * watch retried every few seconds therefore yields a handful of lines an hour, not thousands.
 */
export class ProblemLog {
  readonly #log: Logger;
  readonly #options: ProblemLogOptions;
  readonly #now: () => number;
  #current: string | undefined;
  #since = 0;
  #throttle: LogThrottle | undefined;

  constructor(log: Logger, options: ProblemLogOptions = {}) {
    this.#log = log;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The problem being reported, if any. */
  get current(): string | undefined {
    return this.#current;
  }

  /** Reports the current state: a problem's text, or `undefined` when all is well. Call it as often as you like. */
  update(problem: string | undefined): void {
    if (problem === undefined) {
      if (this.#current !== undefined)
        this.#log.info({ resolvedProblem: this.#current }, 'resolved; the provider is ready again');
      this.#current = undefined;
      return;
    }
    if (problem !== this.#current) {
      this.#current = problem;
      this.#since = this.#now();
      this.#throttle = new LogThrottle(this.#options);
    }
    if (!this.#throttle?.allow(problem)) return;
    const persistingForMs = this.#now() - this.#since;
    if (persistingForMs > 0) this.#log.error({ persistingForMs }, problem);
    else this.#log.error(problem);
  }
}

/**
 * Decides whether a line about a recurring event (a watch failing again and again) is written: the first
 * time for each key, then after 30 s, 60 s, 120 s… (capped at 10 min) while it keeps happening. Keys not
 * seen for longer than the cap are forgotten, so the set stays small however many distinct texts occur.
 */
export class LogThrottle {
  readonly #firstRepeatMs: number;
  readonly #maxRepeatMs: number;
  readonly #now: () => number;
  readonly #next = new Map<string, { at: number; gapMs: number }>();

  constructor(options: ProblemLogOptions = {}) {
    this.#firstRepeatMs = options.firstRepeatMs ?? 30_000;
    this.#maxRepeatMs = options.maxRepeatMs ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether to log `key` now. */
  allow(key: string): boolean {
    const now = this.#now();
    if (this.#next.size > 100) {
      for (const [k, v] of this.#next) if (v.at + this.#maxRepeatMs < now) this.#next.delete(k);
    }
    const entry = this.#next.get(key);
    if (entry && now < entry.at) return false;
    const gapMs =
      entry && entry.at + this.#maxRepeatMs >= now
        ? Math.min(entry.gapMs * 2, this.#maxRepeatMs)
        : this.#firstRepeatMs;
    this.#next.set(key, { at: now + gapMs, gapMs });
    return true;
  }
}
