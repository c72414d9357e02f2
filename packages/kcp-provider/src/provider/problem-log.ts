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
  readonly #firstRepeatMs: number;
  readonly #maxRepeatMs: number;
  readonly #now: () => number;
  #current: string | undefined;
  #since = 0;
  #nextAt = 0;
  #repeatMs = 0;

  constructor(log: Logger, options: ProblemLogOptions = {}) {
    this.#log = log;
    this.#firstRepeatMs = options.firstRepeatMs ?? 30_000;
    this.#maxRepeatMs = options.maxRepeatMs ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /** The problem being reported, if any. */
  get current(): string | undefined {
    return this.#current;
  }

  /** Reports the current state: a problem's text, or `undefined` when all is well. Call it as often as you like. */
  update(problem: string | undefined): void {
    const now = this.#now();
    if (problem === undefined) {
      if (this.#current !== undefined)
        this.#log.info({ resolvedProblem: this.#current }, 'resolved; the provider is ready again');
      this.#current = undefined;
      return;
    }
    if (problem !== this.#current) {
      this.#current = problem;
      this.#since = now;
      this.#repeatMs = this.#firstRepeatMs;
      this.#nextAt = now + this.#repeatMs;
      this.#log.error(problem);
      return;
    }
    if (now < this.#nextAt) return;
    this.#log.error({ persistingForMs: now - this.#since }, problem);
    this.#repeatMs = Math.min(this.#repeatMs * 2, this.#maxRepeatMs);
    this.#nextAt = now + this.#repeatMs;
  }
}
