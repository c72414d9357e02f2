/**
 * When and how long to retry a request the server asked us to repeat.
 *
 * Compared with client-go (which retries any verb on 429 or 5xx only when the server sent a Retry-After, up
 * to 10 times, without capping the wait): a 5xx is retried only for idempotent verbs, also without
 * Retry-After (with exponential backoff), and every wait and the total are capped.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 5; 0 disables retries. */
  maxRetries: number;
  /** First backoff when the server gives no Retry-After. Default 200 ms, doubled each retry. */
  baseDelayMs: number;
  /** Upper bound for any single wait, including a server's Retry-After. Default 30 s. */
  maxDelayMs: number;
  /**
   * Upper bound for the sum of all waits of one request. A retry whose wait would exceed it is not made; the
   * last error is thrown instead. Default 60 s.
   */
  maxTotalWaitMs: number;
}

/** Defaults: 5 retries, 200 ms doubling, never more than 30 s per wait nor 60 s in total. */
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 60_000,
};

/** The policy for a client's `retry` option: `false` means no retries, fields left out take the defaults. */
export function retryPolicy(option: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (option === false) return { ...defaultRetryPolicy, maxRetries: 0 };
  const policy = { ...defaultRetryPolicy, ...option };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${name} must be a finite number >= 0, got ${value}`);
    }
  }
  return policy;
}

/** Verbs that may be repeated without changing the outcome (RFC 9110); PATCH and POST are not among them. */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a response status is worth retrying. 429 means API Priority and Fairness (or a proxy) rejected
 * the request before it ran, so any verb may be repeated; a 5xx may have been applied, so only idempotent
 * verbs are (a repeated DELETE may then answer 404, a repeated PUT 409). 501 Not Implemented never heals.
 */
export function isRetryable(method: string, status: number): boolean {
  if (status === 429) return true;
  return status >= 500 && status !== 501 && idempotentMethods.has(method.toUpperCase());
}

/** Error codes of a connection that broke before any answer arrived (reset, closed, broken pipe). */
const brokenConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Whether a request that got no answer at all may be sent again: only a GET or HEAD (as client-go does for
 * GET), and only when its connection broke — typically a kept-alive connection the server or a proxy
 * closed just as the request went out. A refused connection or a timeout is not retried here.
 */
export function isRetryableConnectionFailure(method: string, err: unknown): boolean {
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD') return false;
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && brokenConnectionCodes.has(code)) return true;
  }
  return false;
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
