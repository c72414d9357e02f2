/** When and how long to retry a request the server asked us to repeat. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 5. */
  maxRetries: number;
  /** First backoff when the server gives no Retry-After. Default 200 ms, doubled each retry. */
  baseDelayMs: number;
  /** Upper bound for any single wait, including a server's Retry-After. Default 30 s. */
  maxDelayMs: number;
}

/** Defaults: 5 retries, 200 ms doubling, never more than 30 s per wait. */
export const defaultRetryPolicy: RetryPolicy = { maxRetries: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a response status is worth retrying. 429 means API Priority and Fairness rejected the request
 * before it ran, so any verb may be repeated; a 5xx may have been applied, so only safe verbs are.
 */
export function isRetryable(method: string, status: number): boolean {
  if (status === 429) return true;
  return status >= 500 && status !== 501 && safeMethods.has(method);
}

/**
 * Delay before retry number `attempt` (0-based): the server's Retry-After (seconds or HTTP date) when
 * present, otherwise exponential backoff with ±20 % jitter; capped at `policy.maxDelayMs`.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | undefined,
  policy: RetryPolicy,
  now: number = Date.now(),
): number {
  let delay: number | undefined;
  if (retryAfter !== undefined && retryAfter !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) delay = Math.max(0, seconds * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) delay = Math.max(0, at - now);
    }
  }
  if (delay === undefined) {
    const base = policy.baseDelayMs * 2 ** attempt;
    delay = base * (0.8 + Math.random() * 0.4);
  }
  return Math.min(delay, policy.maxDelayMs);
}
