/**
 * `./run pack`: builds an installable tarball of every public package (packages/* that are not private)
 * into one folder and prints how to install them together, with their peer dependencies:
 *
 *   ./run pack                              # builds the public packages, packs them into dist/packs/
 *   node tools/pack/pack.ts [--build] [<dir>]   # into <dir>; --build builds the public packages first
 *
 * `pnpm pack` turns `workspace:^` into the real version range, and runs each package's `prepack` (which
 * ships the Go build modules). Packing the same packages from two processes at once is serialised by a
 * lock, because `prepack` rewrites files inside the packages.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { bundlePackage } from '../bundle/bundle.ts';

const repo = resolve(import.meta.dirname, '../..');

/** One packed package. */
export interface PackedPackage {
  /** npm name, e.g. `@kubeloom/core`. */
  readonly name: string;
  /** Its version, e.g. `0.1.0`. */
  readonly version: string;
  /** Absolute path of the tarball. */
  readonly tarball: string;
  /** Its peer dependencies (name → range). */
  readonly peerDependencies: Readonly<Record<string, string>>;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  peerDependencies?: Record<string, string>;
}

/** The public packages of the workspace, in directory order. */
export function publicPackages(): Array<{ dir: string; manifest: Manifest }> {
  const root = join(repo, 'packages');
  return readdirSync(root)
    .toSorted()
    .map((entry) => join(root, entry))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((dir) => ({
      dir,
      manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
    }))
    .filter(({ manifest }) => !manifest.private);
}

/** Packs every public package into `dest` (created if missing); the packages must be built. */
export async function packPackages(dest: string): Promise<PackedPackage[]> {
  mkdirSync(dest, { recursive: true });
  return withLock(join(repo, 'node_modules', '.kubeloom-pack.lock'), async () => {
    const packed: PackedPackage[] = [];
    for (const { dir, manifest } of publicPackages()) {
      const { stdout } = await promisify(execFile)('pnpm', ['pack', '--json', '--pack-destination', dest], {
        cwd: dir,
        timeout: 300_000,
      });
      const filename = (JSON.parse(stdout) as { filename: string }).filename;
      packed.push({
        name: manifest.name,
        version: manifest.version,
        tarball: resolve(dest, filename),
        peerDependencies: manifest.peerDependencies ?? {},
      });
    }
    return packed;
  });
}

/** The `npm install` command that installs `packed` together with their peers. */
export function installCommand(packed: readonly PackedPackage[]): string {
  const peers = new Map<string, string>();
  for (const p of packed)
    for (const [name, range] of Object.entries(p.peerDependencies)) peers.set(name, range);
  const packedNames = new Set(packed.map((p) => p.name));
  const peerSpecs = [...peers].filter(([name]) => !packedNames.has(name)).map(([n, r]) => `'${n}@${r}'`);
  return ['npm install', ...packed.map((p) => p.tarball), ...peerSpecs].join(' ');
}

/** Runs `fn` while holding a lock directory, waiting (up to 10 minutes) for another holder to finish. */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // A holder that died leaves the lock behind; packing never takes this long.
      if (age > 600_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`pack: ${lock} is still held after 10 minutes; remove it if no pack is running`, {
          cause: err,
        });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `tsc -b` of the public packages (and what they reference), nothing else of the workspace, then their bundles. */
export async function buildPublicPackages(): Promise<void> {
  const projects = publicPackages().map(({ dir }) => dir);
  await promisify(execFile)('pnpm', ['exec', 'tsc', '-b', ...projects], {
    cwd: repo,
    timeout: 600_000,
  }).catch((err: { stdout?: string; message: string }) => {
    throw new Error(`pack: building the packages failed:\n${err.stdout || err.message}`, { cause: err });
  });
  for (const dir of projects) await bundlePackage(dir);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args.includes('--build')) await buildPublicPackages();
  const dest = resolve(args.find((a) => !a.startsWith('--')) ?? join(repo, 'dist', 'packs'));
  const packed = await packPackages(dest);
  console.log(`Packed ${packed.length} packages into ${dest}:`);
  for (const p of packed) console.log(`  ${p.name}@${p.version}  ${p.tarball}`);
  console.log('\nInstall them together, with their peer dependencies, in your project:\n');
  console.log(`  ${installCommand(packed)}`);
}
