/**
 * The Kubernetes release whose `kube-apiserver` and `kube-controller-manager` the test environment runs.
 * `tools/kube-build/kubernetes/go.mod` (shipped in @kubeloom/core as `kube-build/kubernetes/`) pins the same
 * version; change both together.
 */
export const KUBERNETES_VERSION = 'v1.37.2';

/**
 * The etcd release built from source for the test environment (Kubernetes 1.37 needs etcd >= 3.5.24).
 * `tools/kube-build/etcd/go.mod` pins the same version. A downloaded envtest release brings its own etcd.
 */
export const ETCD_VERSION = 'v3.7.3';

/** Where controller-tools publishes the envtest release tarballs (etcd, kube-apiserver, kubectl). */
export const ENVTEST_RELEASES_BASE_URL =
  'https://github.com/kubernetes-sigs/controller-tools/releases/download';

/** The index of envtest releases, with each tarball's sha512. */
export const ENVTEST_INDEX_URL =
  'https://raw.githubusercontent.com/kubernetes-sigs/controller-tools/HEAD/envtest-releases.yaml';

/** File name of the envtest tarball for a Kubernetes version and platform. */
export function envtestAsset(version: string, os: string, arch: string): string {
  return `envtest-${version}-${os}-${arch}.tar.gz`;
}

/** URL of the envtest tarball for a Kubernetes version and platform. */
export function envtestReleaseUrl(
  version: string,
  os: string,
  arch: string,
  baseUrl = ENVTEST_RELEASES_BASE_URL,
): string {
  return `${baseUrl}/envtest-${version}/${envtestAsset(version, os, arch)}`;
}
