import {
  type InstallOptions,
  binaryVersion,
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
  const installed = await installBinary(
    {
      name: 'kcp',
      version,
      envVar: 'KCP_BIN',
      cacheSubdir: `kcp/${version}`,
      download: (target, { signal }) => downloadKcpRelease(version, target, signal, options.releaseBaseUrl),
      goBuild: {
        moduleDir: options.buildModuleDir ?? shippedBuildModuleDir(import.meta.url, 'kcp-build'),
        packagePath: 'github.com/kcp-dev/kcp/cmd/kcp',
        pins: `github.com/kcp-dev/kcp ${version}`,
        ldflags,
        expectedDuration: '10-20 min on 2 cores',
      },
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
