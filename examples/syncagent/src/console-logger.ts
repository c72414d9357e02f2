/**
 * `--log-format console`: one human-readable line per entry, the way upstream's zap console encoder writes
 * them — time, level, message, then the fields as JSON, separated by tabs:
 *
 * ```
 * 2026-01-01T10:00:00.000Z	INFO	created the service-cluster copy	{"controller":"syncagent-sync-x","copy":"ns/kcp"}
 * ```
 *
 * Fields and messages are redacted exactly as by the JSON logger, so secrets never reach the terminal.
 */
import {
  DEFAULT_REDACTED_KEYS,
  type LogDestination,
  type LogLevel,
  type Logger,
  normaliseKey,
  redact,
  redactFields,
} from '@kubeloom/core';

const severity: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/** Options for {@link ConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Default `process.stdout`, where the JSON format writes too. */
  readonly destination?: LogDestination;
  /** Clock for the time column; tests pin it. */
  readonly now?: () => number;
}

const redactedKeys: ReadonlySet<string> = new Set(DEFAULT_REDACTED_KEYS.map(normaliseKey));

/** A {@link Logger} writing tab-separated human-readable lines. */
export class ConsoleLogger implements Logger {
  readonly #threshold: number;
  readonly #destination: LogDestination;
  readonly #now: () => number;
  readonly #bindings: Readonly<Record<string, unknown>>;

  constructor(options: ConsoleLoggerOptions = {}, bindings: Readonly<Record<string, unknown>> = {}) {
    this.#threshold = severity[options.level ?? 'info'];
    this.#destination = options.destination ?? process.stdout;
    this.#now = options.now ?? Date.now;
    this.#bindings = bindings;
  }

  debug(obj: object | string, msg?: string): void {
    this.#write('debug', obj, msg);
  }

  info(obj: object | string, msg?: string): void {
    this.#write('info', obj, msg);
  }

  warn(obj: object | string, msg?: string): void {
    this.#write('warn', obj, msg);
  }

  error(obj: object | string, msg?: string): void {
    this.#write('error', obj, msg);
  }

  child(bindings: Record<string, unknown>): ConsoleLogger {
    return new ConsoleLogger(
      { level: this.#levelName(), destination: this.#destination, now: this.#now },
      { ...this.#bindings, ...bindings },
    );
  }

  #levelName(): LogLevel {
    return (Object.entries(severity).find(([, n]) => n === this.#threshold)?.[0] ?? 'info') as LogLevel;
  }

  #write(level: LogLevel, obj: object | string, msg: string | undefined): void {
    if (severity[level] < this.#threshold) return;
    let message: string;
    let fields: Record<string, unknown>;
    if (typeof obj === 'string') {
      message = obj;
      fields = { ...this.#bindings };
    } else if (obj instanceof Error) {
      message = msg ?? obj.message;
      fields = { ...this.#bindings, error: obj };
    } else {
      message = msg ?? '';
      const { err, ...rest } = obj as Record<string, unknown>;
      fields = { ...this.#bindings, ...rest, ...(err !== undefined ? { error: err } : {}) };
    }
    let text = '';
    try {
      text = Object.keys(fields).length > 0 ? JSON.stringify(redactFields(fields, redactedKeys)) : '';
    } catch (error) {
      text = JSON.stringify({ logError: error instanceof Error ? error.message : String(error) });
    }
    const columns = [new Date(this.#now()).toISOString(), level.toUpperCase(), redact(message)];
    if (text) columns.push(text);
    try {
      this.#destination.write(`${columns.join('\t')}\n`);
    } catch {
      // A broken terminal must not take the agent down.
    }
  }
}
