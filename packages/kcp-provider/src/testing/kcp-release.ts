/**
 * The kcp release kubeloom tests and demos run against. The Go module under `tools/kcp-build` (shipped in
 * this package as `kcp-build/`) pins the same version; change both together.
 */
export const KCP_VERSION = 'v0.30.0';

/** Kubernetes version the kcp release is built on (reported by `kcp --version`). */
export const KCP_KUBERNETES_VERSION = 'v1.34.2';

/** Where the kcp project publishes release assets. */
export const KCP_RELEASES_BASE_URL = 'https://github.com/kcp-dev/kcp/releases/download';

/** URL of the release tarball for a platform, as published on the kcp project's GitHub releases page. */
export function kcpReleaseUrl(
  version: string,
  os: string,
  arch: string,
  baseUrl = KCP_RELEASES_BASE_URL,
): string {
  const bare = version.replace(/^v/, '');
  return `${baseUrl}/${version}/kcp_${bare}_${os}_${arch}.tar.gz`;
}

/** URL of the release's checksum file. */
export function kcpChecksumsUrl(version: string, baseUrl = KCP_RELEASES_BASE_URL): string {
  const bare = version.replace(/^v/, '');
  return `${baseUrl}/${version}/kcp_${bare}_checksums.txt`;
}
