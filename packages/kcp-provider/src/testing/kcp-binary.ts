import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KCP_KUBERNETES_VERSION, KCP_VERSION, kcpChecksumsUrl, kcpReleaseUrl } from './kcp-release.ts';

const execFileAsync = promisify(execFile);

/** How a kcp binary was found. */
export type KcpBinarySource = 'KCP_BIN' | 'PATH' | 'cache' | 'download' | 'go-build';

/** A usable kcp binary. */
export interface KcpBinary {
  path: string;
  source: KcpBinarySource;
  /** What `kcp --version` printed. */
  version: string;
  /** Time spent finding, downloading or building it. */
  durationMs: number;
}

/** Options for {@link ensureKcpBinary}. */
export interface EnsureKcpBinaryOptions {
  /** kcp release to download or build. Default {@link KCP_VERSION}. */
  version?: string;
  /** Cache directory. Default `$KUBELOOM_CACHE_DIR` or `$XDG_CACHE_HOME/kubeloom` or `~/.cache/kubeloom`. */
  cacheDir?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Timeout for the release download. Default 60 s. */
  downloadTimeoutMs?: number;
  /** Directory of the Go module that builds kcp. Default: the one shipped with this package or `tools/kcp-build`. */
  buildModuleDir?: string;
  /** Environment to look up KCP_BIN, PATH and Go in. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where release tarballs are downloaded from. Default the kcp project's GitHub releases. */
  releaseBaseUrl?: string;
}

/** No kcp binary could be found, downloaded or built. The message lists what was tried and what to do. */
export class KcpBinaryError extends Error {
  override readonly name = 'KcpBinaryError';
}

/** Default cache directory for kubeloom's downloads and builds. */
export function kubeloomCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBELOOM_CACHE_DIR) return env.KUBELOOM_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kubeloom');
}

/**
 * Finds a kcp binary, in this order: `$KCP_BIN`, `kcp` on `PATH`, the cache, the release tarball from the
 * kcp project's GitHub releases, and finally `go build` from the Go module proxy. Downloads and builds
 * are cached per version, so the second call is a cache hit.
 */
export async function ensureKcpBinary(options: EnsureKcpBinaryOptions = {}): Promise<KcpBinary> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const version = options.version ?? KCP_VERSION;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const done = async (path: string, source: KcpBinarySource): Promise<KcpBinary> => ({
    path,
    source,
    version: await kcpVersion(path),
    durationMs: performance.now() - started,
  });

  if (env.KCP_BIN) {
    if (!isExecutable(env.KCP_BIN)) {
      throw new KcpBinaryError(
        `KCP_BIN=${env.KCP_BIN} is not an executable file; point it at a kcp binary or unset it`,
      );
    }
    return done(env.KCP_BIN, 'KCP_BIN');
  }
  const onPath = findOnPath('kcp', env.PATH ?? '');
  if (onPath) return done(onPath, 'PATH');

  const cacheDir = join(options.cacheDir ?? kubeloomCacheDir(env), 'kcp', version);
  const cached = join(cacheDir, 'kcp');
  if (isExecutable(cached)) return done(cached, 'cache');

  mkdirSync(cacheDir, { recursive: true });
  const failures: string[] = [];

  log(`kcp ${version}: not cached in ${cacheDir}; downloading the release`);
  try {
    await downloadRelease(version, cached, options.downloadTimeoutMs ?? 60_000, options.releaseBaseUrl);
    log(`kcp ${version}: downloaded to ${cached}`);
    return done(cached, 'download');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    failures.push(`download: ${reason}`);
    log(`kcp ${version}: download failed (${reason}); building from source with Go instead`);
  }

  try {
    await goBuild(version, cached, options.buildModuleDir ?? defaultBuildModuleDir(), log, env);
    log(`kcp ${version}: built ${cached}`);
    return done(cached, 'go-build');
  } catch (err) {
    failures.push(`go build: ${err instanceof Error ? err.message : String(err)}`);
  }

  throw new KcpBinaryError(
    [
      `no kcp binary is available, and none could be obtained for ${version}:`,
      ...failures.map((f) => `  - ${f}`),
      'Provide kcp in one of two ways:',
      '  1. set KCP_BIN to the path of a kcp binary (or put kcp on PATH), e.g. one downloaded from',
      `     ${kcpReleaseUrl(version, goOs(), goArch())}`,
      '  2. install Go >= 1.26 (https://go.dev/dl/) with access to a Go module proxy, then run `pnpm kcp:install`',
      '     to build kcp from source into the cache.',
    ].join('\n'),
  );
}

/** What `kcp --version` prints (first line). */
export async function kcpVersion(path: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(path, ['--version'], { timeout: 30_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch (err) {
    throw new KcpBinaryError(`${path} does not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function goOs(): string {
  return process.platform === 'win32' ? 'windows' : process.platform;
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

async function downloadRelease(
  version: string,
  target: string,
  timeoutMs: number,
  baseUrl?: string,
): Promise<void> {
  const url = kcpReleaseUrl(version, goOs(), goArch(), baseUrl);
  const signal = AbortSignal.timeout(timeoutMs);
  let tarball: Buffer;
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
    tarball = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`cannot fetch ${url}: ${err instanceof Error ? err.message : String(err)}${cause}`, {
      cause: err,
    });
  }
  const sums = await fetch(kcpChecksumsUrl(version, baseUrl), { signal }).then(
    (r) => (r.ok ? r.text() : undefined),
    () => undefined,
  );
  const asset = url.slice(url.lastIndexOf('/') + 1);
  const expected = sums
    ?.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([, name]) => name === asset)?.[0];
  if (!expected) throw new Error(`the release has no checksum for ${asset}; refusing an unverified binary`);
  const actual = createHash('sha256').update(tarball).digest('hex');
  if (actual !== expected)
    throw new Error(`checksum mismatch for ${asset}: expected ${expected}, got ${actual}`);
  const scratch = join(tmpdir(), `kubeloom-kcp-${process.pid}-${Date.now()}`);
  mkdirSync(scratch, { recursive: true });
  try {
    const file = join(scratch, asset);
    writeFileSync(file, tarball);
    await execFileAsync('tar', ['-xzf', file, '-C', scratch]);
    const binary = join(scratch, 'bin', 'kcp');
    if (!existsSync(binary)) throw new Error(`${asset} has no bin/kcp`);
    renameSync(binary, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The Go module that builds kcp: shipped next to this package, or `tools/kcp-build` in the kubeloom repo. */
function defaultBuildModuleDir(): string {
  const candidates = [
    fileURLToPath(new URL('../../kcp-build/', import.meta.url)),
    fileURLToPath(new URL('../../../../tools/kcp-build/', import.meta.url)),
  ];
  const [shipped, inRepo] = candidates as [string, string];
  return existsSync(join(shipped, 'go.mod')) ? shipped : inRepo;
}

async function goBuild(
  version: string,
  target: string,
  moduleDir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (!existsSync(join(moduleDir, 'go.mod'))) {
    throw new Error(`the Go module that builds kcp is missing (${moduleDir}/go.mod)`);
  }
  const go = findOnPath('go', env.PATH ?? '');
  if (!go) throw new Error('Go is not installed (no `go` on PATH)');
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  if (!goMod.includes(`github.com/kcp-dev/kcp ${version}`)) {
    throw new Error(`${moduleDir}/go.mod does not pin github.com/kcp-dev/kcp ${version}`);
  }
  // Build in a copy so a read-only install location (node_modules) works and go.sum is never rewritten.
  const workDir = `${target}-build`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const file of ['go.mod', 'go.sum']) {
    if (existsSync(join(moduleDir, file))) cpSync(join(moduleDir, file), join(workDir, file));
  }
  const kubeMinor = KCP_KUBERNETES_VERSION.split('.')[1] ?? '';
  const gitVersion = `${KCP_KUBERNETES_VERSION}+kcp-${version}`;
  const ldflags = ['-s', '-w'];
  for (const pkg of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
    ldflags.push(
      `-X ${pkg}.gitVersion=${gitVersion}`,
      `-X ${pkg}.gitMajor=1`,
      `-X ${pkg}.gitMinor=${kubeMinor}`,
      `-X ${pkg}.gitTreeState=clean`,
    );
  }
  const args = ['build', '-mod=readonly', '-trimpath', '-ldflags', ldflags.join(' '), '-o', `${target}.tmp`];
  args.push('github.com/kcp-dev/kcp/cmd/kcp');
  log(
    `kcp ${version}: go ${args.slice(0, 3).join(' ')} … github.com/kcp-dev/kcp/cmd/kcp (first build takes 10-20 min on 2 cores)`,
  );
  const tail: string[] = [];
  const collect = (chunk: Buffer): void => keepTail(tail, chunk);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(go, args, {
      cwd: workDir,
      // kcp's go.mod uses replace directives, so it can only be built as a dependency of this module (GOWORK=off
      // keeps a surrounding go.work out of it). It has no cgo code.
      env: { ...env, GOWORK: 'off', CGO_ENABLED: '0' },
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
  renameSync(`${target}.tmp`, target);
  rmSync(workDir, { recursive: true, force: true });
}

/** Keeps the last 30 non-empty lines of a child's output, for the error message. */
function keepTail(tail: string[], chunk: Buffer): void {
  for (const line of chunk.toString().split('\n')) {
    if (!line.trim()) continue;
    tail.push(line);
    if (tail.length > 30) tail.shift();
  }
}
