import { join } from 'node:path';
import {
  type GoBuildSpec,
  type InstallOptions,
  binaryVersion,
  findOnPath,
  isExecutable,
  extractTarballMembers,
  fetchBytes,
  goArch,
  goOs,
  installBinary,
  kubeloomCacheDir,
  shippedBuildModuleDir,
  verifyChecksum,
} from '@kubeloom/core/testing';
import { KCP_KUBERNETES_VERSION, KCP_VERSION, kcpChecksumsUrl, kcpReleaseUrl } from './kcp-release.ts';

export { kubeloomCacheDir };

/** How a kcp binary was found. */
export type KcpBinarySource = 'KCP_BIN' | 'PATH' | 'cache' | 'download' | 'go-build';

/** A usable kcp binary. */
export interface KcpBinary {
  /** Absolute path of the executable. */
  path: string;
  /** Where it came from. */
  source: KcpBinarySource;
  /** What `kcp --version` printed. */
  version: string;
  /** Time spent finding, downloading or building it. */
  durationMs: number;
}

/** Options for {@link ensureKcpBinary}. */
export interface EnsureKcpBinaryOptions extends InstallOptions {
  /** kcp release to download or build. Default {@link KCP_VERSION}. */
  version?: string;
  /** Directory of the Go module that builds kcp. Default: the one shipped with this package or `tools/kcp-build`. */
  buildModuleDir?: string;
  /** Where release tarballs are downloaded from. Default the kcp project's GitHub releases. */
  releaseBaseUrl?: string;
}

/** No kcp binary could be found, downloaded or built. The message lists what was tried and what to do. */
export class KcpBinaryError extends Error {
  /** Always `KcpBinaryError`, so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = 'KcpBinaryError';
}

const makeError = (message: string): Error => new KcpBinaryError(message);

/**
 * Finds a kcp binary with @kubeloom/core's binary installer, in this order: `$KCP_BIN`, `kcp` on `PATH`,
 * the cache (`<cache>/kcp/<version>/kcp`), the release tarball from the kcp project's GitHub releases
 * (sha256 checked), and finally `go build` from the Go module proxy (10-20 min on 2 cores the first time).
 */
export async function ensureKcpBinary(options: EnsureKcpBinaryOptions = {}): Promise<KcpBinary> {
  const version = options.version ?? KCP_VERSION;
  const installed = await installBinary(
    {
      name: 'kcp',
      version,
      envVar: 'KCP_BIN',
      cacheSubdir: `kcp/${version}`,
      download: (target, { signal }) => downloadKcpRelease(version, target, signal, options.releaseBaseUrl),
      // A build from source also builds the sharded topology's binaries: they share almost all of kcp's
      // compilation, so building them later would cost far more than linking them now.
      goBuild: kcpGoBuild(options, 'kcp', SHARDING_BINARIES.map(kcpPackage), '10-20 min on 2 cores'),
      remedies: [
        `set KCP_BIN to the path of a kcp binary (or put kcp on PATH), e.g. one downloaded from ${kcpReleaseUrl(version, goOs(), goArch())}`,
        'install Go >= 1.26 (https://go.dev/dl/) with access to a Go module proxy, then run `./run kcp:install` to build kcp from source into the cache.',
      ],
      makeError,
    },
    options,
  );
  return { ...installed, source: installed.source as KcpBinarySource };
}

/** The binaries a sharded kcp runs besides `kcp` itself, all from kcp's Go module. */
export const SHARDING_BINARIES = ['kcp-front-proxy', 'cache-server'] as const;

/** A binary of {@link SHARDING_BINARIES}. */
export type KcpShardingBinary = (typeof SHARDING_BINARIES)[number];

/** Paths of the binaries a sharded kcp runs. */
export interface ShardedKcpBinaries {
  /** `kcp` (every shard). */
  kcp: string;
  /** `kcp-front-proxy` (routes `/clusters/<path>` to the shard that holds the workspace). */
  frontProxy: string;
  /** `cache-server` (replicates APIExports and friends between shards). */
  cacheServer: string;
}

const SHARDING_ENV_VARS: Record<KcpShardingBinary, string> = {
  'kcp-front-proxy': 'KCP_FRONT_PROXY_BIN',
  'cache-server': 'KCP_CACHE_SERVER_BIN',
};

/**
 * Provides kcp, kcp-front-proxy and cache-server of one kcp release. kcp as {@link ensureKcpBinary} does;
 * each other one from its variable (`KCP_FRONT_PROXY_BIN`, `KCP_CACHE_SERVER_BIN`), `PATH`, or the cache
 * next to kcp, and otherwise built from the same Go module as kcp: the missing ones in one `go build`
 * (about 30 s on 2 cores once kcp has been built, as Go's build cache holds their shared packages).
 */
export async function ensureShardedKcpBinaries(
  options: EnsureKcpBinaryOptions = {},
): Promise<ShardedKcpBinaries> {
  const kcp = await ensureKcpBinary(options);
  const version = options.version ?? KCP_VERSION;
  const env = options.env ?? process.env;
  const cacheDir = join(options.cacheDir ?? kubeloomCacheDir(env), `kcp/${version}`);
  const present = (name: KcpShardingBinary): boolean =>
    Boolean(env[SHARDING_ENV_VARS[name]]) ||
    findOnPath(name, env.PATH ?? '') !== undefined ||
    isExecutable(join(cacheDir, name));
  const missing = SHARDING_BINARIES.filter((name) => !present(name));
  const paths: Partial<Record<KcpShardingBinary, string>> = {};
  for (const name of SHARDING_BINARIES) {
    const installed = await installBinary(
      {
        name,
        version,
        envVar: SHARDING_ENV_VARS[name],
        cacheSubdir: `kcp/${version}`,
        // cache-server has no version flag; its usage line proves it runs.
        ...(name === 'cache-server' ? { versionArgs: ['--help'] } : {}),
        download: {
          unavailable: `kubeloom builds ${name} from the Go module it builds kcp from, so that the two always match`,
        },
        // The first missing one is built together with the rest; later iterations find them in the cache.
        goBuild: kcpGoBuild(
          options,
          name,
          missing.filter((m) => m !== name).map(kcpPackage),
          'about 30 s on 2 cores after kcp itself',
        ),
        remedies: [
          `set ${SHARDING_ENV_VARS[name]} to the path of a ${name} binary of kcp ${version} (or put one on PATH)`,
          'install Go >= 1.26 (https://go.dev/dl/) with access to a Go module proxy, then run `./run kcp:install --sharded` to build the sharded kcp binaries from source into the cache.',
        ],
        makeError,
      },
      options,
    );
    paths[name] = installed.path;
  }
  return {
    kcp: kcp.path,
    frontProxy: paths['kcp-front-proxy'] as string,
    cacheServer: paths['cache-server'] as string,
  };
}

function kcpPackage(name: string): string {
  return `github.com/kcp-dev/kcp/cmd/${name}`;
}

/** How to build `name` (and `alsoBuild`) from the kcp-build module, stamped with kcp's version like a release. */
function kcpGoBuild(
  options: EnsureKcpBinaryOptions,
  name: string,
  alsoBuild: string[],
  expectedDuration: string,
): GoBuildSpec {
  const version = options.version ?? KCP_VERSION;
  const gitVersion = `${KCP_KUBERNETES_VERSION}+kcp-${version}`;
  const ldflags = ['-s', '-w'];
  for (const pkg of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
    ldflags.push(
      `-X ${pkg}.gitVersion=${gitVersion}`,
      `-X ${pkg}.gitMajor=1`,
      `-X ${pkg}.gitMinor=${KCP_KUBERNETES_VERSION.split('.')[1] ?? ''}`,
      `-X ${pkg}.gitTreeState=clean`,
    );
  }
  return {
    moduleDir: options.buildModuleDir ?? shippedBuildModuleDir(import.meta.url, 'kcp-build'),
    packagePath: kcpPackage(name),
    pins: `github.com/kcp-dev/kcp ${version}`,
    ldflags,
    expectedDuration,
    ...(alsoBuild.length > 0 ? { alsoBuild } : {}),
  };
}

/** What `kcp --version` prints (first line). */
export function kcpVersion(path: string): Promise<string> {
  return binaryVersion(path, ['--version'], makeError);
}

async function downloadKcpRelease(
  version: string,
  target: string,
  signal: AbortSignal,
  baseUrl?: string,
): Promise<void> {
  const url = kcpReleaseUrl(version, goOs(), goArch(), baseUrl);
  const tarball = await fetchBytes(url, signal);
  const sums = await fetchBytes(kcpChecksumsUrl(version, baseUrl), signal).then(
    (b) => b.toString('utf8'),
    () => undefined,
  );
  const asset = url.slice(url.lastIndexOf('/') + 1);
  const expected = sums
    ?.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([, name]) => name === asset)?.[0];
  if (!expected) throw new Error(`the release has no checksum for ${asset}; refusing an unverified binary`);
  verifyChecksum(tarball, 'sha256', expected, asset);
  await extractTarballMembers(tarball, asset, { 'bin/kcp': target });
}
