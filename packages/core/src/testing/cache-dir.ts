import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where kubeloom caches downloaded and built binaries: `$KUBELOOM_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/kubeloom`, else `~/.cache/kubeloom`. Builds take minutes, so CI should keep this
 * directory between runs.
 */
export function kubeloomCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBELOOM_CACHE_DIR) return env.KUBELOOM_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kubeloom');
}
