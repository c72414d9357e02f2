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
  LineLogger,
  type LogDestination,
  type LogLevel,
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
export class ConsoleLogger extends LineLogger {
  readonly #threshold: number;
  readonly #destination: LogDestination;
  readonly #now: () => number;
  readonly #bindings: Readonly<Record<string, unknown>>;

  constructor(options: ConsoleLoggerOptions = {}, bindings: Readonly<Record<string, unknown>> = {}) {
    super();
    this.#threshold = severity[options.level ?? 'info'];
    this.#destination = options.destination ?? process.stdout;
    this.#now = options.now ?? Date.now;
    this.#bindings = bindings;
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

  protected writeLine(
    level: LogLevel,
    message: string | undefined,
    own: Readonly<Record<string, unknown>>,
  ): void {
    if (severity[level] < this.#threshold) return;
    const { err, ...rest } = own;
    const fields = { ...this.#bindings, ...rest, ...(err !== undefined ? { error: err } : {}) };
    let text = '';
    try {
      text = Object.keys(fields).length > 0 ? JSON.stringify(redactFields(fields, redactedKeys)) : '';
    } catch (error) {
      text = JSON.stringify({ logError: error instanceof Error ? error.message : String(error) });
    }
    const columns = [new Date(this.#now()).toISOString(), level.toUpperCase(), redact(message ?? '')];
    if (text) columns.push(text);
    try {
      this.#destination.write(`${columns.join('\t')}\n`);
    } catch {
      // A broken terminal must not take the agent down.
    }
  }
}
