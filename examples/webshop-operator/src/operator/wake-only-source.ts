/**
 * A watch that only wakes objects up and never holds their requests back. The operator reads the objects
 * it watches this way live from the API server, so it needs their events but not a synced cache, and a
 * claimed API that no tenant binds yet (the virtual workspace answers 404 until one does) must not keep
 * every Webshop waiting for a cache that cannot fill.
 */
import type { Source, StartedSource } from '@kubeloom/core';

/** `source`, reporting itself synced from the start; its watch errors are still reported. */
export function wakeOnly(source: Source): Source {
  return {
    description: `${source.description} (wake-up only)`,
    start(engagement): StartedSource {
      const started = source.start(engagement);
      return {
        hasSynced: true,
        waitForSync: () => Promise.resolve(),
        get lastError() {
          return started.lastError;
        },
      };
    },
  };
}
