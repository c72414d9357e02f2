/**
 * The logger the syncagent e2e tests give their agents: debug and info lines are dropped; warning messages
 * and error lines (message and fields) are kept for assertions and for the report after the run.
 */
import type { Logger } from '@kubeloom/core';

/** A logger that pushes warning messages to `warnings` and error lines to `errors`. */
export function quietLogger(errors: string[], warnings: string[] = []): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => warnings.push(typeof obj === 'string' ? obj : (msg ?? '')),
    error: (obj, msg) => errors.push(typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`),
    child: () => logger,
  };
  return logger;
}
