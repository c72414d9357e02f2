import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The root directory of the npm package a module belongs to: the nearest directory at or above the
 * module's own that holds a `package.json`.
 *
 * kubeloom's packages ship files next to their code (CRDs, templates, Go build modules). A module finds
 * them from here rather than by a fixed number of `../`, because the same code runs from `src/` (tests,
 * `node file.ts`), from the bundles under `dist/bundle/` and from their shared chunks one level deeper.
 *
 * @param moduleUrl - the calling module's `import.meta.url`
 * @throws Error when no directory above the module holds a `package.json`
 */
export function packageDirectoryOf(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any directory above it`);
  }
}
