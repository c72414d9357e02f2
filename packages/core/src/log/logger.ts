/**
 * The logging interface kubeloom uses: a subset of pino's, so a pino logger can be passed as is. Every
 * method takes either a message, or a bindings object followed by a message.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
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
