import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubeloomCacheDir } from './cache-dir.ts';
import { findOnPath, isExecutable } from './executable-lookup.ts';
import { type GoBuildSpec, goBuild } from './go-build.ts';
import { withInstallLock } from './install-lock.ts';

const execFileAsync = promisify(execFile);

/**
 * Where a binary was found: the name of the environment variable that named it or its directory (e.g.
 * `KCP_BIN`, `KUBEBUILDER_ASSETS`), `PATH`, `cache`, `download` or `go-build`.
 */
export type BinarySource = string;

/** A usable binary, as {@link installBinary} found, downloaded or built it. */
export interface InstalledBinary {
  /** Absolute path of the executable. */
  path: string;
  /** Where it came from. */
  source: BinarySource;
  /** The first line it printed for its version flag. */
  version: string;
  /** Time spent finding, downloading or building it. */
  durationMs: number;
}

/** What the download step gets from {@link installBinary}. */
export interface DownloadContext {
  /** Aborts when the download timeout passes. */
  signal: AbortSignal;
  /** Progress lines. */
  log: (line: string) => void;
}

/** One binary the installer can provide: where users put it, and how to download or build it. */
export interface BinarySpec {
  /** File name of the executable, e.g. `kube-apiserver`. */
  name: string;
  /** Version it downloads or builds, e.g. `v1.37.2` (a found binary is used whatever its version). */
  version: string;
  /** Environment variable that names the binary, e.g. `KUBE_APISERVER_BIN`. Checked first. */
  envVar: string;
  /** Environment variables naming a directory that may hold it, e.g. envtest's `KUBEBUILDER_ASSETS`. */
  dirEnvVars?: readonly string[];
  /** Directory under the cache root where it is cached, e.g. `kube/v1.37.2`. */
  cacheSubdir: string;
  /** Arguments that make it print its version. Default `--version`. */
  versionArgs?: readonly string[];
  /**
   * Downloads a verified release of the binary into `target` (and possibly its siblings in the same
   * directory), or says why there is no download for it.
   */
  download:
    | ((target: string, context: DownloadContext) => Promise<void>)
    | {
        /** Why there is no release to download, for the final error (e.g. `envtest ships no kube-controller-manager`). */
        unavailable: string;
      };
  /** How to build it from source with Go. */
  goBuild: GoBuildSpec;
  /** Lines after "Provide <name> in one of these ways:" in the final error. */
  remedies: readonly string[];
  /** Makes the error thrown when it cannot be provided. Default {@link BinaryInstallError}. */
  makeError?: (message: string) => Error;
}

/** Options every installer of a binary accepts. */
export interface InstallOptions {
  /** Cache root. Default {@link kubeloomCacheDir} (`$KUBELOOM_CACHE_DIR`, `$XDG_CACHE_HOME/kubeloom`, `~/.cache/kubeloom`). */
  cacheDir?: string;
  /** Progress lines, one per step (default: stderr). */
  log?: (line: string) => void;
  /** Timeout of the release download. Default 60 s. */
  downloadTimeoutMs?: number;
  /** Environment for the variables, PATH and Go. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A binary could not be found, downloaded or built. The message lists what was tried and what to do. */
export class BinaryInstallError extends Error {
  /** `BinaryInstallError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'BinaryInstallError';
}

/**
 * Provides a binary the way users expect to provide one, in this order: the environment variable naming
 * it, a directory variable (like `KUBEBUILDER_ASSETS`), `PATH`, kubeloom's cache, the upstream release
 * download (checksum verified), and finally `go build` from the Go module proxy. Downloads and builds go to
 * the cache, so the second call is a cache hit; concurrent installers of the same binary wait for each
 * other instead of building twice. Logs one line per step.
 */
export async function installBinary(
  spec: BinarySpec,
  options: InstallOptions = {},
): Promise<InstalledBinary> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const makeError = spec.makeError ?? ((message: string) => new BinaryInstallError(message));
  const label = `${spec.name} ${spec.version}`;
  const done = async (path: string, source: BinarySource): Promise<InstalledBinary> => ({
    path,
    source,
    version: await binaryVersion(path, spec.versionArgs ?? ['--version'], makeError),
    durationMs: performance.now() - started,
  });

  const named = env[spec.envVar];
  if (named) {
    if (!isExecutable(named)) {
      throw makeError(
        `${spec.envVar}=${named} is not an executable file; point it at a ${spec.name} binary or unset it`,
      );
    }
    return done(named, spec.envVar);
  }
  for (const dirVar of spec.dirEnvVars ?? []) {
    const dir = env[dirVar];
    if (!dir) continue;
    const candidate = join(dir, spec.name);
    if (isExecutable(candidate)) return done(candidate, dirVar);
    log(`${label}: ${dirVar}=${dir} has no ${spec.name}; looking on PATH and in the cache`);
  }
  const onPath = findOnPath(spec.name, env.PATH ?? '');
  if (onPath) return done(onPath, 'PATH');

  const cacheDir = join(options.cacheDir ?? kubeloomCacheDir(env), spec.cacheSubdir);
  const cached = join(cacheDir, spec.name);
  if (isExecutable(cached)) return done(cached, 'cache');
  mkdirSync(cacheDir, { recursive: true });

  const failures: string[] = [];
  const installed = await withInstallLock(cached, label, log, async () => {
    // Another process may have finished it while this one waited for the lock.
    if (isExecutable(cached)) return 'cache';
    if ('unavailable' in spec.download) {
      failures.push(`download: ${spec.download.unavailable}`);
      log(`${label}: not in ${cacheDir}, and there is no release to download; building from source with Go`);
    } else {
      log(`${label}: not in ${cacheDir}; downloading the release`);
      try {
        await spec.download(cached, {
          signal: AbortSignal.timeout(options.downloadTimeoutMs ?? 60_000),
          log,
        });
        log(`${label}: downloaded to ${cached}`);
        return 'download';
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        failures.push(`download: ${reason}`);
        log(`${label}: download failed (${reason}); building from source with Go instead`);
      }
    }
    try {
      await goBuild(spec.goBuild, cached, { log, env, label });
      return 'go-build';
    } catch (err) {
      failures.push(`go build: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  });
  if (installed) return done(cached, installed);

  throw makeError(
    [
      `no ${spec.name} binary is available, and none could be obtained for ${spec.version}:`,
      ...failures.map((f) => `  - ${f}`),
      `Provide ${spec.name} in one of these ways:`,
      ...spec.remedies.map((r, i) => `  ${i + 1}. ${r}`),
    ].join('\n'),
  );
}

/** The first line a binary prints for its version flag; an error naming the path if it does not run. */
export async function binaryVersion(
  path: string,
  args: readonly string[] = ['--version'],
  makeError: (message: string) => Error = (message) => new BinaryInstallError(message),
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(path, [...args], { timeout: 30_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch (err) {
    throw makeError(`${path} does not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}
