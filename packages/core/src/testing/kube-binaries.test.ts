import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BinaryInstallError } from './binary-installer.ts';
import { goArch, goOs } from './executable-lookup.ts';
import { freeLoopbackPort } from './free-port.ts';
import { ensureKubeBinaries, ensureKubeBinary } from './kube-binaries.ts';
import { ScratchDirectories } from './scratch-directories.ts';

const scratch = new ScratchDirectories('kubeloom-kube-binaries-');
afterAll(() => scratch.removeAll());
const asset = `envtest-v1.37.2-${goOs()}-${goArch()}.tar.gz`;

/** A stand-in binary that prints a version line, like the real ones. */
function fakeBinary(dir: string, name: string, version = `${name} fake`): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${version}"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A stand-in `go` that records its arguments and environment and "builds" a fake binary at `-o`. */
function fakeGo(dir: string, record: string, delaySeconds = 0): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'go'),
    [
      '#!/bin/sh',
      `echo "$@ GOWORK=$GOWORK CGO_ENABLED=$CGO_ENABLED" >> ${record}`,
      `sleep ${delaySeconds}`,
      'while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done',
      `printf '#!/bin/sh\\necho built\\n' > "$out"; chmod +x "$out"`,
    ].join('\n'),
  );
  chmodSync(join(dir, 'go'), 0o755);
  // The fake needs sleep and chmod; nothing the installer looks for is in these directories.
  return `${dir}:/usr/bin:/bin`;
}

/** Build modules that pin the versions the installer expects, like tools/kube-build. */
function fakeBuildModules(): { kubernetes: string; etcd: string } {
  const root = scratch.make();
  const kubernetes = join(root, 'kubernetes');
  const etcd = join(root, 'etcd');
  mkdirSync(kubernetes);
  mkdirSync(etcd);
  writeFileSync(join(kubernetes, 'go.mod'), 'module x\nrequire k8s.io/kubernetes v1.37.2\n');
  writeFileSync(join(etcd, 'go.mod'), 'module y\nrequire go.etcd.io/etcd/server/v3 v3.7.3\n');
  return { kubernetes, etcd };
}

/** An envtest-like tarball with fake etcd and kube-apiserver. */
function envtestTarball(): Buffer {
  const dir = scratch.make();
  fakeBinary(join(dir, 'controller-tools', 'envtest'), 'kube-apiserver', 'Kubernetes v1.37.2');
  fakeBinary(join(dir, 'controller-tools', 'envtest'), 'etcd', 'etcd Version: 3.6.8');
  execFileSync('tar', ['-czf', join(dir, asset), '-C', dir, 'controller-tools']);
  return readFileSync(join(dir, asset));
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A local release host serving an index (with the given hash) and the tarball. */
async function releaseHost(tarball: Buffer, hash: string): Promise<string> {
  const index = `releases:\n  v1.37.2:\n    ${asset}:\n      hash: ${hash}\n      selfLink: unused\n`;
  server = createServer((req, res) => {
    if (req.url === '/envtest-releases.yaml') res.end(index);
    else if (req.url === `/envtest-v1.37.2/${asset}`) res.end(tarball);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('ensureKubeBinaries', { timeout: 30_000 }, () => {
  it('looks at the binary variable, then KUBEBUILDER_ASSETS, then PATH, then the cache', async () => {
    const dir = scratch.make();
    const explicit = fakeBinary(join(dir, 'explicit'), 'kube-apiserver');
    const assets = join(dir, 'assets');
    fakeBinary(assets, 'kube-apiserver');
    const onPath = join(dir, 'bin');
    fakeBinary(onPath, 'kube-apiserver');
    const cacheDir = scratch.make();
    fakeBinary(join(cacheDir, 'kube', 'v1.37.2'), 'kube-apiserver', 'Kubernetes v1.37.2');
    const lookup = (env: NodeJS.ProcessEnv) =>
      ensureKubeBinary('kube-apiserver', { env, cacheDir, log: () => {} }).then((b) => [b.source, b.path]);

    expect(await lookup({ KUBE_APISERVER_BIN: explicit, KUBEBUILDER_ASSETS: assets, PATH: onPath })).toEqual([
      'KUBE_APISERVER_BIN',
      explicit,
    ]);
    expect(await lookup({ KUBEBUILDER_ASSETS: assets, PATH: onPath })).toEqual([
      'KUBEBUILDER_ASSETS',
      join(assets, 'kube-apiserver'),
    ]);
    expect(await lookup({ PATH: onPath })).toEqual(['PATH', join(onPath, 'kube-apiserver')]);
    const cached = await ensureKubeBinary('kube-apiserver', { env: { PATH: '/nonexistent' }, cacheDir });
    expect([cached.source, cached.version]).toEqual(['cache', 'Kubernetes v1.37.2']);
  });

  it('says which directory lacks a binary and keeps looking (envtest assets have no controller-manager)', async () => {
    const dir = scratch.make();
    const assets = join(dir, 'assets');
    fakeBinary(assets, 'kube-apiserver');
    fakeBinary(join(dir, 'bin'), 'kube-controller-manager');
    const lines: string[] = [];
    const kcm = await ensureKubeBinary('kube-controller-manager', {
      env: { KUBEBUILDER_ASSETS: assets, PATH: join(dir, 'bin') },
      cacheDir: scratch.make(),
      log: (line) => lines.push(line),
    });
    expect(kcm.source).toBe('PATH');
    expect(lines).toEqual([
      `kube-controller-manager v1.37.2: KUBEBUILDER_ASSETS=${assets} has no kube-controller-manager; looking on PATH and in the cache`,
    ]);
  });

  it('rejects a variable that names no executable, saying what to do', async () => {
    await expect(
      ensureKubeBinary('etcd', { env: { ETCD_BIN: '/nonexistent/etcd' }, cacheDir: scratch.make() }),
    ).rejects.toThrow(
      'ETCD_BIN=/nonexistent/etcd is not an executable file; point it at a etcd binary or unset it',
    );
  });

  it('with no network and no Go, lists every step tried and the ways out', async () => {
    const closedPort = await freeLoopbackPort();
    const error = await ensureKubeBinary('kube-apiserver', {
      env: { PATH: '/nonexistent' },
      cacheDir: scratch.make(),
      releaseIndexUrl: `http://127.0.0.1:${closedPort}/envtest-releases.yaml`,
      downloadTimeoutMs: 5_000,
      log: () => {},
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BinaryInstallError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('no kube-apiserver binary is available, and none could be obtained for v1.37.2:');
    expect(lines[1]).toBe(
      `  - download: cannot fetch http://127.0.0.1:${closedPort}/envtest-releases.yaml: fetch failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
    expect(lines.slice(2)).toEqual([
      '  - go build: Go is not installed (no `go` on PATH)',
      'Provide kube-apiserver in one of these ways:',
      '  1. set KUBE_APISERVER_BIN to the path of a kube-apiserver binary, set KUBEBUILDER_ASSETS to a directory holding one (e.g. what `setup-envtest use -p path` prints), or put it on PATH',
      '  2. install Go >= 1.26 (https://go.dev/dl/) with access to a Go module proxy, then run `./run kube:install` to build it from source into the cache',
    ]);
  });

  it('says that envtest releases have no kube-controller-manager', async () => {
    await expect(
      ensureKubeBinary('kube-controller-manager', {
        env: { PATH: '/nonexistent' },
        cacheDir: scratch.make(),
      }),
    ).rejects.toThrow(
      '  - download: the envtest releases ship no kube-controller-manager (only etcd, kube-apiserver, kubectl)\n  - go build: Go is not installed',
    );
  });

  it('refuses a download whose sha512 differs from the release index, then builds with Go', async () => {
    const tarball = envtestTarball();
    const base = await releaseHost(tarball, 'ab'.repeat(64));
    const record = join(scratch.make(), 'go-calls');
    const lines: string[] = [];
    const apiserver = await ensureKubeBinary('kube-apiserver', {
      env: { PATH: fakeGo(scratch.make(), record) },
      cacheDir: scratch.make(),
      releaseBaseUrl: base,
      releaseIndexUrl: `${base}/envtest-releases.yaml`,
      buildModuleDirs: fakeBuildModules(),
      log: (line) => lines.push(line),
    });
    const actual = createHash('sha512').update(tarball).digest('hex');
    expect(lines[1]).toBe(
      `kube-apiserver v1.37.2: download failed (checksum mismatch for ${asset}: expected sha512 ${'ab'.repeat(64)}, got ${actual}); building from source with Go instead`,
    );
    expect([apiserver.source, apiserver.version]).toEqual(['go-build', 'built']);
    const goCall = readFileSync(record, 'utf8');
    expect(goCall).toContain(
      'build -mod=readonly -trimpath -ldflags -s -w -X k8s.io/component-base/version.gitVersion=v1.37.2 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37',
    );
    expect(goCall).toContain('k8s.io/kubernetes/cmd/kube-apiserver GOWORK=off CGO_ENABLED=0');
  });

  it('downloads a verified envtest release once, for both etcd and kube-apiserver', async () => {
    const tarball = envtestTarball();
    const base = await releaseHost(tarball, createHash('sha512').update(tarball).digest('hex'));
    const cacheDir = scratch.make();
    const options = {
      env: { PATH: fakeGo(scratch.make(), join(scratch.make(), 'go-calls')) },
      cacheDir,
      releaseBaseUrl: base,
      releaseIndexUrl: `${base}/envtest-releases.yaml`,
      buildModuleDirs: fakeBuildModules(),
      log: () => {},
    };
    const apiserver = await ensureKubeBinary('kube-apiserver', options);
    expect([apiserver.source, apiserver.version]).toEqual(['download', 'Kubernetes v1.37.2']);
    const all = await ensureKubeBinaries(options);
    expect(all).toEqual({
      kubeApiserver: join(cacheDir, 'kube', 'v1.37.2', 'kube-apiserver'),
      etcd: join(cacheDir, 'kube', 'v1.37.2', 'etcd'),
      kubeControllerManager: join(cacheDir, 'kube', 'v1.37.2', 'kube-controller-manager'),
    });
    expect((await ensureKubeBinary('etcd', options)).version).toBe('etcd Version: 3.6.8');
  });

  it('builds once when two installs of the same binary run at the same time', async () => {
    const record = join(scratch.make(), 'go-calls');
    const options = {
      env: { PATH: fakeGo(scratch.make(), record, 1) },
      cacheDir: scratch.make(),
      releaseIndexUrl: `http://127.0.0.1:${await freeLoopbackPort()}/envtest-releases.yaml`,
      buildModuleDirs: fakeBuildModules(),
      log: () => {},
    };
    const [first, second] = await Promise.all([
      ensureKubeBinary('etcd', options),
      ensureKubeBinary('etcd', options),
    ]);
    expect([first.source, second.source].toSorted()).toEqual(['cache', 'go-build']);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
