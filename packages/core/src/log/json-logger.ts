import { redact } from '../client/redact.ts';
import { LineLogger } from './line-logger.ts';
import { DEFAULT_REDACTED_KEYS, normaliseKey, redactFields } from './redact-fields.ts';

/** Severity of a log line, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const severity: Record<LogLevel | 'silent', number> = {
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  silent: 100,
};

/** Where a {@link JsonLogger} writes: `process.stdout` or any Node Writable (the callback form is used to flush). */
export interface LogDestination {
  /** Writes one line (a JSON object and a newline), as a Node stream does. */
  write(chunk: string, callback?: (error?: Error | null) => void): boolean | undefined | void;
}

/** Options for {@link JsonLogger}. */
export interface JsonLoggerOptions {
  /** Lines below this level are dropped; `silent` drops everything. Default `info`. */
  level?: LogLevel | 'silent';
  /** Default `process.stdout`. */
  destination?: LogDestination;
  /** Fields on every line (e.g. `{ name: 'shop-operator' }`). */
  bindings?: Record<string, unknown>;
  /** Field names to redact in addition to {@link DEFAULT_REDACTED_KEYS}. */
  redactKeys?: readonly string[];
  /** Clock for the `time` field; tests pin it. Default `Date.now`. */
  now?: () => number;
}

/** The field errors are written under: controller-runtime's key (its logr/zap setup writes `error`). */
const ERROR_KEY = 'error';

/**
 * `fields` with a pino-style `err` renamed to {@link ERROR_KEY}, in place of the original key so the line
 * keeps its order. Unchanged when there is no `err`, or when an `error` field is there too (both are kept).
 */
function withErrorKey(fields: object): object {
  if (!Object.hasOwn(fields, 'err') || Object.hasOwn(fields, ERROR_KEY)) return fields;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) renamed[key === 'err' ? ERROR_KEY : key] = value;
  return renamed;
}

/** Set by `child()` just before it calls the constructor, so that children share state without a public constructor parameter. */
let deriving: { shared: Shared; parent: JsonLogger; bindings: Record<string, unknown> } | undefined;

interface Shared {
  readonly destination: LogDestination;
  readonly threshold: number;
  readonly level: LogLevel | 'silent';
  readonly keys: ReadonlySet<string>;
  readonly now: () => number;
}

/**
 * The logger kubeloom uses when none is given: one JSON object per line, pino-style
 * (`{"level":"info","time":"…","controller":"shop","msg":"…"}`), so that log shippers parse it without
 * configuration and a pino logger can replace it without changing call sites.
 *
 * It exists so that core does not depend on pino. Secrets never reach the output: fields named like
 * credentials are redacted at any depth, and bearer tokens, JWTs and `token=…` pairs are scrubbed from the
 * message and from every string value. Child bindings are redacted and serialised once, when the child
 * first writes a line (a controller logs through the same child for its whole life), and not at all by a
 * child that never does: one is made per engaged cluster and per reconcile, and at the usual levels most
 * of them stay silent. So bindings are read then, not when `child()` is called: do not change them after.
 *
 * Errors are written under the key `error`, the key controller-runtime's logs use, so that one query finds
 * the failures of Go and TypeScript controllers alike. Call sites pass them pino-style as `{ err }` (a pino
 * logger writes that as pino does, under `err`); this logger renames that field.
 */
export class JsonLogger extends LineLogger {
  readonly #shared: Shared;
  /** The bindings, redacted and serialised: `"k":v,"k2":v2` (or empty); undefined until first needed. */
  #prefix: string | undefined;
  /** Until {@link #prefix} is made: the logger this one is a child of, and this one's own bindings. */
  #parent: JsonLogger | undefined;
  #bindings: Record<string, unknown> | undefined;

  constructor(options: JsonLoggerOptions = {}) {
    super();
    if (deriving) {
      // child(): share the parent's destination, level and redaction keys; skip rebuilding them.
      this.#shared = deriving.shared;
      this.#parent = deriving.parent;
      this.#bindings = deriving.bindings;
      deriving = undefined;
      return;
    }
    const level = options.level ?? 'info';
    this.#shared = {
      destination: options.destination ?? process.stdout,
      threshold: severity[level],
      level,
      keys: new Set([...DEFAULT_REDACTED_KEYS, ...(options.redactKeys ?? [])].map(normaliseKey)),
      now: options.now ?? Date.now,
    };
    this.#prefix = options.bindings ? this.#serialiseBindings(options.bindings) : '';
  }

  /** The lowest level written. */
  get level(): LogLevel | 'silent' {
    return this.#shared.level;
  }

  /** Whether lines of `level` are written; use it to skip building expensive log fields. */
  isLevelEnabled(level: LogLevel): boolean {
    return severity[level] >= this.#shared.threshold;
  }

  /** A logger adding `bindings` to every line; they are serialised when it first writes one. */
  child(bindings: Record<string, unknown>): JsonLogger {
    deriving = { shared: this.#shared, parent: this, bindings };
    return new JsonLogger();
  }

  /**
   * Resolves once everything written so far has been handed to the operating system, so that a process
   * that exits right after shutdown does not lose its last lines (stdout to a pipe is asynchronous in Node).
   * Accepts pino's callback form as well.
   */
  flush(callback?: (error?: Error) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (error?: Error | null): void => {
        callback?.(error ?? undefined);
        resolve();
      };
      try {
        // An empty write is queued behind every pending one; its callback runs when they all have been flushed.
        this.#shared.destination.write('', done);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** The serialised bindings of this logger and its ancestors, made on first use. */
  #bindingsPrefix(): string {
    if (this.#prefix !== undefined) return this.#prefix;
    const inherited = this.#parent ? this.#parent.#bindingsPrefix() : '';
    let own = '';
    try {
      own = this.#bindings ? this.#serialiseBindings(this.#bindings) : '';
    } catch (error) {
      own = `"logError":${JSON.stringify(error instanceof Error ? error.message : String(error))}`;
    }
    this.#prefix = inherited && own ? `${inherited},${own}` : inherited || own;
    this.#parent = undefined;
    this.#bindings = undefined;
    return this.#prefix;
  }

  #serialiseBindings(bindings: Record<string, unknown>): string {
    const json = JSON.stringify(redactFields(withErrorKey(bindings), this.#shared.keys));
    return json && json.length > 2 ? json.slice(1, -1) : '';
  }

  /** Writes one JSON line if the level allows it: the call's fields, redacted, after the bindings. */
  protected writeLine(
    level: LogLevel,
    message: string | undefined,
    own: Readonly<Record<string, unknown>>,
  ): void {
    const shared = this.#shared;
    if (severity[level] < shared.threshold) return;
    let fields = '';
    try {
      const json = JSON.stringify(redactFields(withErrorKey(own), shared.keys));
      fields = json && json.length > 2 ? json.slice(1, -1) : '';
    } catch (error) {
      fields = `"logError":${JSON.stringify(error instanceof Error ? error.message : String(error))}`;
    }
    let line = `{"level":"${level}","time":"${new Date(shared.now()).toISOString()}"`;
    const prefix = this.#bindingsPrefix();
    if (prefix) line += `,${prefix}`;
    if (fields) line += `,${fields}`;
    if (message !== undefined) line += `,"msg":${JSON.stringify(redact(message))}`;
    line += '}\n';
    try {
      shared.destination.write(line);
    } catch {
      // A broken stdout must not take the controller down; there is nowhere left to report it.
    }
  }
}
