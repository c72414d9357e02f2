import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { packageDirectoryOf } from '../util/package-directory.ts';
import { findOnPath } from './executable-lookup.ts';

/** How to build one binary from source with Go, from a small module whose go.mod/go.sum pin every dependency. */
export interface GoBuildSpec {
  /** Directory with the `go.mod` and `go.sum` of the build module. */
  moduleDir: string;
  /** The main package to build, e.g. `k8s.io/kubernetes/cmd/kube-apiserver`. */
  packagePath: string;
  /** A `<module> <version>` requirement the go.mod must contain, so a stale module never builds the wrong version. */
  pins: string;
  /** `-ldflags` words (e.g. `-s`, `-w`, `-X pkg.var=value`). */
  ldflags: readonly string[];
  /** How long a first build takes, for the progress line (e.g. `about 6 min on 2 cores`). */
  expectedDuration: string;
  /**
   * More main packages of the same module graph to build in the same `go build` invocation (so they share
   * its compilation); each binary lands next to the target, named after the package's last path element.
   */
  alsoBuild?: readonly string[];
}

/** Options for {@link goBuild}. */
export interface GoBuildOptions {
  /** Progress lines. */
  log: (line: string) => void;
  /** Environment to find Go in and run it with. */
  env: NodeJS.ProcessEnv;
  /** Prefix of every progress line, e.g. `kube-apiserver v1.37.2`. */
  label: string;
  /** How often to say the build is still running. Default 30 s. */
  progressIntervalMs?: number;
}

/**
 * Builds `spec.packagePath` into `target` with `GOWORK=off CGO_ENABLED=0 go build -mod=readonly -trimpath`.
 * Go's own settings (GOPROXY, GOFLAGS, caches) are the user's and are left alone. The build runs in a copy
 * of the module, so a read-only install location works and go.sum is never rewritten; it reports the
 * elapsed time every 30 s so that a first build of several minutes never looks hung. Throws with the
 * last lines of Go's output when the build fails.
 */
export async function goBuild(spec: GoBuildSpec, target: string, options: GoBuildOptions): Promise<void> {
  const goMod = join(spec.moduleDir, 'go.mod');
  if (!existsSync(goMod)) throw new Error(`the Go module that builds it is missing (${goMod})`);
  const go = findOnPath('go', options.env.PATH ?? '');
  if (!go) throw new Error('Go is not installed (no `go` on PATH)');
  if (!readFileSync(goMod, 'utf8').includes(spec.pins)) {
    throw new Error(`${goMod} does not pin ${spec.pins}`);
  }
  const workDir = `${target}-build`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const file of ['go.mod', 'go.sum']) {
    if (existsSync(join(spec.moduleDir, file))) cpSync(join(spec.moduleDir, file), join(workDir, file));
  }
  const args = ['build', '-mod=readonly', '-trimpath', '-ldflags', spec.ldflags.join(' ')];
  const also = spec.alsoBuild ?? [];
  // With several packages `go build -o` takes a directory and names each binary after its package.
  const outDir = join(workDir, 'bin');
  if (also.length > 0) args.push('-o', `${outDir}/`, spec.packagePath, ...also);
  else args.push('-o', `${target}.tmp`, spec.packagePath);
  const started = performance.now();
  options.log(
    `${options.label}: go build -mod=readonly -trimpath … ${spec.packagePath} (a first build takes ${spec.expectedDuration}; later ones reuse Go's build cache)`,
  );
  const ticker = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    options.log(`${options.label}: still building (${seconds} s elapsed)`);
  }, options.progressIntervalMs ?? 30_000);
  const tail: string[] = [];
  const collect = (chunk: Buffer): void => keepTail(tail, chunk);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, args, {
        cwd: workDir,
        // The upstream modules use replace directives, so they are only buildable as dependencies of this
        // module; GOWORK=off keeps a surrounding go.work out of it, and none of them needs cgo.
        env: { ...options.env, GOWORK: 'off', CGO_ENABLED: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      rmSync(`${target}.tmp`, { force: true });
      throw new Error(`go build exited with ${code}:\n${tail.map((l) => `      ${l}`).join('\n')}`);
    }
    if (also.length > 0) {
      for (const pkg of also) renameSync(join(outDir, basename(pkg)), join(dirname(target), basename(pkg)));
      renameSync(join(outDir, basename(spec.packagePath)), target);
    } else renameSync(`${target}.tmp`, target);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const extra = also.length > 0 ? ` (and ${also.map((p) => basename(p)).join(', ')} beside it)` : '';
    options.log(`${options.label}: built ${target}${extra} in ${seconds} s`);
  } finally {
    clearInterval(ticker);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Keeps the last 30 non-empty lines of a child's output, for the error message. */
function keepTail(tail: string[], chunk: Buffer): void {
  for (const line of chunk.toString().split('\n')) {
    if (!line.trim()) continue;
    tail.push(line);
    if (tail.length > 30) tail.shift();
  }
}

/**
 * The directory of a Go build module that a package ships: `<package>/<relative>` when installed from npm
 * (copied there by `prepack`), else `tools/<relative>` in the kubeloom repository. `moduleUrl` is the
 * `import.meta.url` of any module of that package.
 */
export function shippedBuildModuleDir(moduleUrl: string, relative: string): string {
  const packageDir = packageDirectoryOf(moduleUrl);
  const shipped = join(packageDir, relative);
  const inRepo = join(packageDir, '..', '..', 'tools', relative);
  return existsSync(join(shipped, 'go.mod')) ? shipped : inRepo;
}
