/**
 * Bundles every package's public entry points into `dist/bundle/`, the files its `exports` and `bin`
 * name, so that importing `@kubeloom/core` loads a handful of files instead of ~170 modules.
 *
 *   node tools/bundle/bundle.ts              all packages under packages/
 *   node tools/bundle/bundle.ts core cli     only these (a name under packages/, or a package's path)
 *
 * Why: Node resolves, reads and compiles each ES module on its own; for kubeloom's ~170 small modules
 * that was most of a manager's start-up CPU and ~10 MiB of its resident memory (docs/benchmarks.md,
 * "What importing costs"). `tsc -b` still writes the per-file `dist/**` with the declarations, which the
 * `types` conditions point at; the bundles are built from the TypeScript sources, with source maps
 * back to them.
 *
 * The package's `package.json` is the one place that says what is public. Each `exports` entry pairs a
 * `types` path `./dist/<name>.d.ts` with a `default` path `./dist/bundle/<name>.js`; `<name>` names the
 * source `src/<name>.ts`. A `*` pattern bundles every non-test source that matches it. `bin` paths are
 * `./dist/bundle/<name>.js` too. All entry points of a package are bundled in one build, so code they
 * share lands in shared chunks and exists once per process (one class identity, one module state).
 * Bare imports (dependencies, other kubeloom packages, `node:` modules) stay imports.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'rolldown';

const repoRoot = resolve(import.meta.dirname, '../..');
const TYPES = /^\.\/dist\/(.+)\.d\.ts$/;
const BUNDLED = /^\.\/dist\/bundle\/(.+)\.js$/;

interface PackageManifest {
  name: string;
  exports?: Record<string, string | { types?: string; default?: string }>;
  bin?: string | Record<string, string>;
}

/** Entry name (path below `dist/bundle/`, no extension) → absolute source file, from the manifest. */
export function entryPoints(packageDir: string, manifest: PackageManifest): Record<string, string> {
  const entries: Record<string, string> = {};
  const problems: string[] = [];
  const add = (name: string, where: string): void => {
    const source = join(packageDir, 'src', `${name}.ts`);
    if (!existsSync(source)) problems.push(`${where}: no source file src/${name}.ts`);
    entries[name] = source;
  };
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') continue; // ./package.json and other plain files
    const typesName = target.types?.match(TYPES)?.[1];
    const bundledName = target.default?.match(BUNDLED)?.[1];
    if (!typesName || bundledName !== typesName) {
      problems.push(
        `exports["${subpath}"]: expected { "types": "./dist/<name>.d.ts", "default": "./dist/bundle/<name>.js" } ` +
          `with the same <name>, got ${JSON.stringify(target)}`,
      );
      continue;
    }
    if (!typesName.includes('*')) {
      add(typesName, `exports["${subpath}"]`);
      continue;
    }
    const [dir, file] = [dirname(typesName), basename(typesName)];
    const [prefix, suffix] = file.split('*') as [string, string];
    const sourceDir = join(packageDir, 'src', dir);
    if (!existsSync(sourceDir)) {
      problems.push(`exports["${subpath}"]: no source directory src/${dir} for the pattern ${typesName}`);
      continue;
    }
    for (const f of readdirSync(sourceDir).toSorted()) {
      if (!f.endsWith(`${suffix}.ts`) || !f.startsWith(prefix) || /\.(test|d)\.ts$|\.test\./.test(f))
        continue;
      add(join(dir, f.slice(0, -'.ts'.length)), `exports["${subpath}"]`);
    }
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [command, path] of Object.entries(bins)) {
    const name = path.match(BUNDLED)?.[1];
    if (name) add(name, `bin["${command}"]`);
    else problems.push(`bin["${command}"]: expected "./dist/bundle/<name>.js", got "${path}"`);
  }
  if (problems.length) {
    throw new Error(`${manifest.name} (${join(packageDir, 'package.json')}):\n  ${problems.join('\n  ')}`);
  }
  return entries;
}

/** Bundles one package; returns how many files were written. */
export async function bundlePackage(packageDir: string): Promise<number> {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageManifest;
  const input = entryPoints(packageDir, manifest);
  const outDir = join(packageDir, 'dist', 'bundle');
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    input,
    platform: 'node',
    // Relative imports are the package's own code; everything else is resolved by Node at run time.
    external: (id) => !id.startsWith('.') && !isAbsolute(id),
    ...(existsSync(join(packageDir, 'tsconfig.json')) ? { tsconfig: join(packageDir, 'tsconfig.json') } : {}),
    logLevel: 'warn',
    onLog(level, log, handler) {
      // A warning here means the bundle may not behave like the per-file build: fail instead.
      if (level === 'warn') throw new Error(`${manifest.name}: ${log.message}`);
      handler(level, log);
    },
    output: {
      dir: outDir,
      format: 'esm',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      // V8 keeps each module's source in memory for as long as it may compile functions from it. Comments
      // are for editors, which read the declarations and the sources the source maps point at; and one
      // non-ASCII character (a '…' in a message) would make V8 store the whole file two bytes a character.
      comments: false,
      charset: 'ascii',
    },
  });
  return result.output.length;
}

if (import.meta.main) {
  const { positionals } = parseArgs({ allowPositionals: true });
  const names = positionals.length
    ? positionals
    : readdirSync(join(repoRoot, 'packages')).filter((d) =>
        existsSync(join(repoRoot, 'packages', d, 'package.json')),
      );
  for (const name of names) {
    const started = performance.now();
    const dir = name.includes('/') ? resolve(name) : join(repoRoot, 'packages', name);
    try {
      const files = await bundlePackage(dir);
      process.stdout.write(
        `bundle: ${name}: ${files} files in ${Math.round(performance.now() - started)} ms\n`,
      );
    } catch (err) {
      process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
      break;
    }
  }
}
