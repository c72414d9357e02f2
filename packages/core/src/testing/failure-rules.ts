/** Which requests an injected failure applies to; every given field must match. */
export interface RequestMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Substring of, or pattern tested against, the URL path (including any `/clusters/<name>` prefix). */
  path?: string | RegExp;
  /** Only watches (`true`) or only non-watch requests (`false`). */
  watch?: boolean;
}

/** An error the fake server answers instead of serving the request. */
export interface InjectedFailure {
  /** HTTP status, e.g. 429, 500, 503. */
  status: number;
  /** Sent as the `Retry-After` header and `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
  /** How many matching requests fail. Default 1. */
  count?: number;
  /** Default: every request. */
  match?: RequestMatch;
  /** `Status.message`. Default: a description of the injected failure. */
  message?: string;
  /** `Status.reason`. Default: the conventional reason for the code (e.g. `TooManyRequests`). */
  reason?: string;
}

/** What a failure rule is matched against. */
export interface RequestSummary {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** URL path, including any `/clusters/<name>` prefix. */
  path: string;
  /** Whether the request is a watch. */
  watch: boolean;
}

/** Pending injected failures, consumed in the order they were added. */
export class FailureRules {
  #rules: Array<{ failure: InjectedFailure; remaining: number }> = [];

  /** Adds a failure for the next `failure.count` (default 1) matching requests. */
  add(failure: InjectedFailure): void {
    const count = failure.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`failNext: count must be a positive integer, got ${count}`);
    if (!Number.isInteger(failure.status) || failure.status < 400 || failure.status > 599) {
      throw new RangeError(`failNext: status must be an HTTP error code (400-599), got ${failure.status}`);
    }
    this.#rules.push({ failure, remaining: count });
  }

  /** The failure to answer `request` with, if any; consumes one use of that rule. */
  take(request: RequestSummary): InjectedFailure | undefined {
    const index = this.#rules.findIndex((rule) => matches(rule.failure.match, request));
    if (index < 0) return undefined;
    const rule = this.#rules[index] as { failure: InjectedFailure; remaining: number };
    if (--rule.remaining === 0) this.#rules.splice(index, 1);
    return rule.failure;
  }

  /** Number of requests that will still fail (summed over all rules). */
  get pending(): number {
    return this.#rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }

  /** Forgets every pending failure. */
  clear(): void {
    this.#rules = [];
  }
}

function matches(match: RequestMatch | undefined, request: RequestSummary): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.watch !== undefined && match.watch !== request.watch) return false;
  if (typeof match.path === 'string' && !request.path.includes(match.path)) return false;
  if (match.path instanceof RegExp) {
    match.path.lastIndex = 0;
    if (!match.path.test(request.path)) return false;
  }
  return true;
}
