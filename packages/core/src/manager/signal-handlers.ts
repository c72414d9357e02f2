import type { Logger } from '../log/logger.ts';

/** What the handlers listen on and how they force an exit; `process` unless a test passes its own. */
export interface SignalSource {
  /** Adds a listener for a signal, as `process.on` does. */
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  /** Removes a listener added with `on`. */
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Options for {@link installShutdownSignalHandlers}. */
export interface ShutdownSignalOptions {
  /** Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /** Default `process`. */
  source?: SignalSource;
  /** Called on the second signal. Default `process.exit`. */
  exit?: (code: number) => void;
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
}

/**
 * Turns the first SIGTERM/SIGINT into a graceful shutdown and the second into `exit(1)`, as kube-rs and
 * controller-runtime do: Kubernetes sends SIGTERM and waits, a developer pressing Ctrl-C twice wants out
 * now. Node as PID 1 in a container ignores SIGTERM unless a handler is installed, so installing them is
 * not optional for operators. Returns a function that removes the handlers.
 */
export function installShutdownSignalHandlers(
  onFirstSignal: (signal: NodeJS.Signals) => void,
  options: ShutdownSignalOptions = {},
): () => void {
  const source: SignalSource = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let received = 0;
  const listener = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      options.logger?.info(
        { signal },
        'received signal, shutting down gracefully (send it again to force exit)',
      );
      onFirstSignal(signal);
      return;
    }
    options.logger?.error({ signal }, 'received a second signal, exiting immediately');
    exit(1);
  };
  for (const signal of signals) source.on(signal, listener);
  return () => {
    for (const signal of signals) source.off(signal, listener);
  };
}
