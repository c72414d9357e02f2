import { dirname, join } from 'node:path';
import {
  type BinarySpec,
  type DownloadContext,
  type InstallOptions,
  type InstalledBinary,
  installBinary,
} from './binary-installer.ts';
import { goArch, goOs } from './executable-lookup.ts';
import { shippedBuildModuleDir } from './go-build.ts';
import {
  ETCD_VERSION,
  ENVTEST_INDEX_URL,
  KUBERNETES_VERSION,
  envtestAsset,
  envtestReleaseUrl,
} from './kube-release.ts';
import { extractTarballMembers, fetchBytes, verifyChecksum } from './release-download.ts';

/** Paths of the three binaries a `KubeTestEnvironment` runs. */
export interface KubeBinaries {
  /** `kube-apiserver` executable. */
  kubeApiserver: string;
  /** `etcd` executable. */
  etcd: string;
  /** `kube-controller-manager` executable. */
  kubeControllerManager: string;
}

/** One of the binaries of {@link KubeBinaries}, by its file name. */
export type KubeComponent = 'kube-apiserver' | 'etcd' | 'kube-controller-manager';

/** Options for {@link ensureKubeBinaries} and {@link ensureKubeBinary}. */
export interface EnsureKubeBinariesOptions extends InstallOptions {
  /** Where envtest tarballs are downloaded from. Default `ENVTEST_RELEASES_BASE_URL`. */
  releaseBaseUrl?: string;
  /** The envtest release index with the tarballs' sha512. Default `ENVTEST_INDEX_URL`. */
  releaseIndexUrl?: string;
  /** Directories of the Go modules that build them. Default: shipped with @kubeloom/core, or `tools/kube-build/*`. */
  buildModuleDirs?: {
    /** Go module that builds kube-apiserver and kube-controller-manager. */
    kubernetes?: string;
    /** Go module that builds etcd. */
    etcd?: string;
  };
}

const ENV_VARS: Record<KubeComponent, string> = {
  'kube-apiserver': 'KUBE_APISERVER_BIN',
  etcd: 'ETCD_BIN',
  'kube-controller-manager': 'KUBE_CONTROLLER_MANAGER_BIN',
};

/**
 * Provides `kube-apiserver`, `etcd` and `kube-controller-manager`, each in this order: its variable
 * (`KUBE_APISERVER_BIN`, `ETCD_BIN`, `KUBE_CONTROLLER_MANAGER_BIN`), a `KUBEBUILDER_ASSETS` directory
 * (what envtest users already have), `PATH`, the cache (`<cache>/kube/v1.37.2/`), the envtest release
 * tarball (kube-apiserver and etcd only; sha512 checked against the release index), and `go build` from
 * the Go module proxy (about 8 min for all three on 2 cores the first time). Returns their paths.
 */
export async function ensureKubeBinaries(options: EnsureKubeBinariesOptions = {}): Promise<KubeBinaries> {
  const download = sharedEnvtestDownload(options);
  const kubeApiserver = await installBinary(kubeBinarySpec('kube-apiserver', options, download), options);
  const etcd = await installBinary(kubeBinarySpec('etcd', options, download), options);
  const kcm = await installBinary(kubeBinarySpec('kube-controller-manager', options, download), options);
  return { kubeApiserver: kubeApiserver.path, etcd: etcd.path, kubeControllerManager: kcm.path };
}

/** Provides one of the binaries of {@link ensureKubeBinaries}, saying where it came from and how long it took. */
export function ensureKubeBinary(
  component: KubeComponent,
  options: EnsureKubeBinariesOptions = {},
): Promise<InstalledBinary> {
  return installBinary(kubeBinarySpec(component, options, sharedEnvtestDownload(options)), options);
}

/** Downloads and unpacks the envtest tarball at most once per call of the installers above. */
type EnvtestDownload = (cacheDir: string, context: DownloadContext) => Promise<void>;

function sharedEnvtestDownload(options: EnsureKubeBinariesOptions): EnvtestDownload {
  let pending: Promise<void> | undefined;
  return (cacheDir, context) => {
    pending ??= downloadEnvtest(cacheDir, context, options);
    return pending;
  };
}

function kubeBinarySpec(
  component: KubeComponent,
  options: EnsureKubeBinariesOptions,
  download: EnvtestDownload,
): BinarySpec {
  const isEtcd = component === 'etcd';
  const envVar = ENV_VARS[component];
  const moduleDir = isEtcd
    ? (options.buildModuleDirs?.etcd ?? shippedBuildModuleDir(import.meta.url, 'kube-build/etcd'))
    : (options.buildModuleDirs?.kubernetes ??
      shippedBuildModuleDir(import.meta.url, 'kube-build/kubernetes'));
  const versionPkg = 'k8s.io/component-base/version';
  const minor = KUBERNETES_VERSION.split('.')[1] ?? '';
  const kubeLdflags = [
    `-X ${versionPkg}.gitVersion=${KUBERNETES_VERSION}`,
    `-X ${versionPkg}.gitMajor=1`,
    `-X ${versionPkg}.gitMinor=${minor}`,
    `-X ${versionPkg}.gitTreeState=clean`,
  ];
  const where =
    component === 'kube-controller-manager'
      ? `set ${envVar} to the path of a ${component} binary or put one on PATH (envtest's KUBEBUILDER_ASSETS has none; or start KubeTestEnvironment with controllerManager: false)`
      : `set ${envVar} to the path of a ${component} binary, set KUBEBUILDER_ASSETS to a directory holding one (e.g. what \`setup-envtest use -p path\` prints), or put it on PATH`;
  return {
    name: component,
    version: isEtcd ? ETCD_VERSION : KUBERNETES_VERSION,
    envVar,
    dirEnvVars: ['KUBEBUILDER_ASSETS'],
    cacheSubdir: join('kube', KUBERNETES_VERSION),
    download:
      component === 'kube-controller-manager'
        ? {
            unavailable:
              'the envtest releases ship no kube-controller-manager (only etcd, kube-apiserver, kubectl)',
          }
        : (target, context) => download(dirname(target), context),
    goBuild: isEtcd
      ? {
          moduleDir,
          packagePath: 'go.etcd.io/etcd/server/v3',
          pins: `go.etcd.io/etcd/server/v3 ${ETCD_VERSION}`,
          ldflags: ['-s', '-w'],
          expectedDuration: 'about 1 min on 2 cores',
        }
      : {
          moduleDir,
          packagePath: `k8s.io/kubernetes/cmd/${component}`,
          pins: `k8s.io/kubernetes ${KUBERNETES_VERSION}`,
          ldflags: ['-s', '-w', ...kubeLdflags],
          expectedDuration:
            component === 'kube-apiserver'
              ? 'about 6 min on 2 cores'
              : 'about 1.5 min after kube-apiserver, 5 min alone, on 2 cores',
        },
    remedies: [
      where,
      'install Go >= 1.26 (https://go.dev/dl/) with access to a Go module proxy, then run `./run kube:install` to build it from source into the cache',
    ],
  };
}

/** Fetches the envtest tarball, checks its sha512 against the release index, and unpacks etcd and kube-apiserver. */
async function downloadEnvtest(
  cacheDir: string,
  context: DownloadContext,
  options: EnsureKubeBinariesOptions,
): Promise<void> {
  const asset = envtestAsset(KUBERNETES_VERSION, goOs(), goArch());
  const indexUrl = options.releaseIndexUrl ?? ENVTEST_INDEX_URL;
  const { parse } = await import('yaml');
  const index = parse((await fetchBytes(indexUrl, context.signal)).toString('utf8')) as {
    releases?: Record<string, Record<string, { hash?: string }>>;
  };
  const expected = index?.releases?.[KUBERNETES_VERSION]?.[asset]?.hash;
  if (!expected) {
    throw new Error(`${indexUrl} lists no ${asset}; refusing an unverified binary`);
  }
  const url = envtestReleaseUrl(KUBERNETES_VERSION, goOs(), goArch(), options.releaseBaseUrl);
  const tarball = await fetchBytes(url, context.signal);
  verifyChecksum(tarball, 'sha512', expected, asset);
  await extractTarballMembers(tarball, asset, {
    'controller-tools/envtest/kube-apiserver': join(cacheDir, 'kube-apiserver'),
    'controller-tools/envtest/etcd': join(cacheDir, 'etcd'),
  });
}
