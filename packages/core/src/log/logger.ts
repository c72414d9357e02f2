/**
 * The logging interface kubeloom uses: a subset of pino's, so a pino logger can be passed as is. Every
 * method takes either a message, or a bindings object followed by a message.
 */
export interface Logger {
  /** Detail for debugging, off by default. */
  debug(obj: object | string, msg?: string): void;
  /** Normal operation worth a line: starts, stops, engagements. */
  info(obj: object | string, msg?: string): void;
  /** Something is wrong but handled (retried, skipped); someone may need to act. */
  warn(obj: object | string, msg?: string): void;
  /** A failure that was not handled, e.g. a reconcile that failed. */
  error(obj: object | string, msg?: string): void;
  /** A logger that adds `bindings` to every line (e.g. `{ controller, cluster, reconcileID }`). */
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything (the default where none is given). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
