/** Options for {@link Backoff}. Defaults follow client-go's reflector: 800 ms doubling to 30 s, reset after 2 min healthy. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Jitter factor: each delay is stretched by a random amount up to this fraction. Default 1.0 (client-go's). */
  jitter?: number;
  /** After this long without a failure the next delay starts from `initialMs` again. Default 120 s. */
  resetAfterMs?: number;
}

/** Exponential backoff with jitter that forgets past failures after a healthy period. */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  #current = 0;
  #lastFailure = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 800;
    this.#max = options.maxMs ?? 30_000;
    this.#jitter = options.jitter ?? 1.0;
    this.#resetAfter = options.resetAfterMs ?? 120_000;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(now: number = Date.now()): number {
    if (this.#current === 0 || now - this.#lastFailure > this.#resetAfter) this.#current = this.#initial;
    else this.#current = Math.min(this.#current * 2, this.#max);
    this.#lastFailure = now;
    return Math.min(this.#current * (1 + Math.random() * this.#jitter), this.#max * (1 + this.#jitter));
  }

  /** Forgets past failures (e.g. after a successful list). */
  reset(): void {
    this.#current = 0;
  }
}
