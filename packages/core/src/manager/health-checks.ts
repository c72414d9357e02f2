/**
 * A named health or readiness check: return (or resolve) nothing or `true` when healthy; return `false`,
 * throw, or reject when not. The error message is shown in verbose output.
 */
export type HealthCheck = () => void | boolean | Promise<void | boolean>;

/** The outcome of {@link HealthChecks.run}. */
export interface HealthReport {
  readonly ok: boolean;
  /** Kubernetes-style lines: `[+]name ok` / `[-]name failed: reason`. */
  readonly lines: readonly string[];
}

/**
 * A set of named checks behind `/healthz` or `/readyz`, answering like the Kubernetes API server does
 * (`ok`, or a list of `[+]`/`[-]` lines with `?verbose` or on failure), so probes and humans read it the
 * same way.
 */
export class HealthChecks {
  readonly #checks = new Map<string, HealthCheck>();
  readonly #what: string;

  /** `what` names the endpoint in the summary line, e.g. `healthz`. */
  constructor(what: string) {
    this.#what = what;
  }

  /** Adds a check; names must be unique. */
  add(name: string, check: HealthCheck): void {
    if (this.#checks.has(name)) throw new Error(`a ${this.#what} check named "${name}" already exists`);
    this.#checks.set(name, check);
  }

  /** Runs every check (concurrently, each bounded by `timeoutMs`). */
  async run(timeoutMs = 5000): Promise<HealthReport> {
    const results = await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        try {
          const result = await withTimeout(Promise.resolve().then(check), timeoutMs);
          return result === false ? `[-]${name} failed: reason withheld` : `[+]${name} ok`;
        } catch (error) {
          return `[-]${name} failed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }),
    );
    const ok = results.every((line) => line.startsWith('[+]'));
    return { ok, lines: [...results, `${this.#what} check ${ok ? 'passed' : 'failed'}`] };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
