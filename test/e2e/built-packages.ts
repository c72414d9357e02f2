import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

/** The newest non-test source file under `dir` and its modification time. */
function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || /\.test(\.support)?\.ts$/.test(entry.name))
      continue;
    const file = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(file);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/**
 * The e2e tests import the packages as users do, through their `exports`, i.e. the bundles `./run build`
 * writes into each `packages/<name>/dist/bundle/`. Running vitest directly after editing a package's
 * source would test the previous build without a word; this says so before any test runs.
 */
export function assertBuiltPackagesAreCurrent(): void {
  const stale: string[] = [];
  for (const name of readdirSync(join(repo, 'packages'))) {
    const src = join(repo, 'packages', name, 'src');
    const bundle = join(repo, 'packages', name, 'dist', 'bundle', 'index.js');
    if (!existsSync(src)) continue;
    if (!existsSync(bundle)) {
      stale.push(`packages/${name} has not been built (no dist/bundle/index.js)`);
      continue;
    }
    const newest = newestSource(src);
    if (newest && newest.mtimeMs > statSync(bundle).mtimeMs) {
      stale.push(`packages/${name}: ${relative(repo, newest.file)} changed after the last build`);
    }
  }
  if (stale.length) {
    throw new Error(
      `The e2e tests run the built packages, and the build is out of date:\n  ${stale.join('\n  ')}\n` +
        'Run `./run build` (or `./run test:e2e`, which builds first), then the tests again.',
    );
  }
}
