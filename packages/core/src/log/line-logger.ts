import type { LogLevel } from './json-logger.ts';
import type { Logger } from './logger.ts';

/**
 * A base for a {@link Logger} that handles each call as one line: the four level methods turn their
 * arguments into a message and fields and hand them to {@link LineLogger.writeLine}, which a subclass
 * implements (with {@link Logger.child}). For a logger that formats lines its own way, or keeps them.
 */
export abstract class LineLogger implements Logger {
  /** Writes a `debug` line, if the logger writes that level. */
  debug(obj: object | string, msg?: string): void {
    this.#line('debug', obj, msg);
  }

  /** Writes an `info` line, if the logger writes that level. */
  info(obj: object | string, msg?: string): void {
    this.#line('info', obj, msg);
  }

  /** Writes a `warn` line, if the logger writes that level. */
  warn(obj: object | string, msg?: string): void {
    this.#line('warn', obj, msg);
  }

  /** Writes an `error` line. */
  error(obj: object | string, msg?: string): void {
    this.#line('error', obj, msg);
  }

  /** A logger that adds `bindings` to every line. */
  abstract child(bindings: Record<string, unknown>): Logger;

  /**
   * Writes one line. `message` is the string passed alone, else `msg`, else an Error's message (undefined
   * when there is none); `fields` are the call's own (an Error passed alone is under `err`), without the
   * logger's bindings.
   */
  protected abstract writeLine(
    level: LogLevel,
    message: string | undefined,
    fields: Readonly<Record<string, unknown>>,
  ): void;

  #line(level: LogLevel, obj: object | string, msg: string | undefined): void {
    if (typeof obj === 'string') this.writeLine(level, obj, {});
    else if (obj instanceof Error) this.writeLine(level, msg ?? obj.message, { err: obj });
    else this.writeLine(level, msg, obj as Record<string, unknown>);
  }
}
