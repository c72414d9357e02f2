import type { LogLevel } from '../log/json-logger.ts';
import { LineLogger } from '../log/line-logger.ts';

/** One line a {@link RecordingLogger} kept. */
export interface RecordedLogLine {
  /** The method it was written with. */
  readonly level: LogLevel;
  /** Its message: the string passed alone, else `msg`, else an Error's message; `''` when there is none. */
  readonly message: string;
  /** The bindings of the logger that wrote it (and its parents) and the line's own fields; an Error passed alone is under `err`. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * A {@link Logger} for tests that keeps every line in memory, its children's too, to assert on what was
 * logged or to show it when a wait times out:
 *
 * ```ts
 * const log = new RecordingLogger();
 * const manager = new Manager({ ..., logger: log });
 * ...
 * expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
 * ```
 */
export class RecordingLogger extends LineLogger {
  /** Every line written through this logger and its children, oldest first. */
  readonly lines: RecordedLogLine[];
  readonly #bindings: Readonly<Record<string, unknown>>;

  /**
   * `bindings` go into every line's fields (as a child's do); `lines` is where the lines are kept (a child
   * shares its parent's).
   */
  constructor(bindings: Readonly<Record<string, unknown>> = {}, lines: RecordedLogLine[] = []) {
    super();
    this.#bindings = bindings;
    this.lines = lines;
  }

  /** A logger that keeps its lines in the same list, with `bindings` added to their fields. */
  child(bindings: Record<string, unknown>): RecordingLogger {
    return new RecordingLogger({ ...this.#bindings, ...bindings }, this.lines);
  }

  /**
   * The lines at any of `levels` (every line if none is given), each as one JSON object of its fields and
   * `msg`: for a substring check, or for a timeout message.
   */
  text(...levels: LogLevel[]): string[] {
    return this.lines
      .filter((line) => levels.length === 0 || levels.includes(line.level))
      .map((line) => JSON.stringify({ ...line.fields, msg: line.message }));
  }

  /** Keeps the line, with the logger's bindings in its fields. */
  protected writeLine(
    level: LogLevel,
    message: string | undefined,
    fields: Readonly<Record<string, unknown>>,
  ): void {
    this.lines.push({ level, message: message ?? '', fields: { ...this.#bindings, ...fields } });
  }
}
