import type { Logger } from './logger.ts';

/**
 * Flushes a logger if it can be flushed (kubeloom's {@link JsonLogger}, or pino's `flush(cb)`), waiting at
 * most `timeoutMs`. Shutdown calls it last so that the final lines ("shutdown complete", the reason a
 * process exits) are not lost when output goes to a pipe; a logger that never calls back cannot hang it.
 */
export async function flushLogger(logger: Logger, timeoutMs = 2000): Promise<void> {
  const flush = (logger as { flush?: unknown }).flush;
  if (typeof flush !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      try {
        const result: unknown = flush.call(logger, () => resolve());
        if (result instanceof Promise)
          result.then(
            () => resolve(),
            () => resolve(),
          );
      } catch {
        resolve();
      }
    }),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
