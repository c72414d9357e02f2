import { generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freeLoopbackPorts } from './free-port.ts';
import { probeStatus } from './https-probe.ts';
import type { KubeBinaries } from './kube-binaries.ts';
import { SupervisedProcess } from './process-supervisor.ts';

/** Options for {@link KubeControlPlane.start}. */
export interface KubeControlPlaneOptions {
  /** Name used in the data directory, the kubeconfig's context and log lines. */
  name: string;
  /** Also run kube-controller-manager. */
  controllerManager: boolean;
  /** Progress lines. */
  log: (line: string) => void;
  /** How long to wait for everything to be ready. */
  startTimeoutMs: number;
}

type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';

/**
 * The processes of one test cluster: etcd, kube-apiserver and optionally kube-controller-manager, on free
 * loopback ports, with all state (etcd data, generated certificates, tokens, logs) in one temporary
 * directory. Each process runs under a {@link SupervisedProcess}, so nothing survives the test process.
 */
export class KubeControlPlane {
  /** The temporary directory with all state; removed by {@link stop}. */
  readonly dataDir: string;
  /** Admin kubeconfig (static token, TLS verified with the apiserver's generated CA). */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  serverUrl = '';
  /** Milliseconds from the first spawn until everything was ready. */
  startupMs = 0;
  readonly #options: KubeControlPlaneOptions;
  readonly #processes = new Map<Component, SupervisedProcess>();

  private constructor(options: KubeControlPlaneOptions) {
    this.#options = options;
    this.dataDir = mkdtempSync(join(tmpdir(), `kubeloom-kube-${options.name.replace(/[^\w.-]/g, '_')}-`));
    this.kubeconfigPath = join(this.dataDir, 'admin.kubeconfig');
  }

  /**
   * Starts etcd, then kube-apiserver, then kube-controller-manager, each waited for; cleans up on failure.
   * A port taken by another process between choosing and binding it is retried once with new ports.
   */
  static async start(
    binaries: Partial<KubeBinaries>,
    options: KubeControlPlaneOptions,
  ): Promise<KubeControlPlane> {
    for (let attempt = 1; ; attempt++) {
      const plane = new KubeControlPlane(options);
      try {
        await plane.#start(binaries);
        return plane;
      } catch (err) {
        await plane.stop();
        const message = err instanceof Error ? err.message : '';
        if (attempt >= 2 || !message.includes('address already in use')) throw err;
        options.log(`${options.name}: a port was taken by another process; starting again on new ports`);
      }
    }
  }

  /** Process ids of the supervisors (= process groups) still running, for leak checks. */
  get pids(): number[] {
    return [...this.#processes.values()].filter((p) => p.running).map((p) => p.pid);
  }

  /**
   * Stops every server at once (the data is thrown away, so there is no order to keep), waits until no
   * process of theirs is left, and removes the data directory.
   */
  async stop(): Promise<void> {
    await Promise.all([...this.#processes.values()].map((p) => p.stop()));
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The last lines a component wrote, for error messages. */
  logTail(component: Component, lines = 20): string {
    try {
      const text = readFileSync(join(this.dataDir, `${component}.log`), 'utf8').trimEnd();
      return text ? text.split('\n').slice(-lines).join('\n') : '(the log is empty)';
    } catch {
      return '(no log)';
    }
  }

  async #start(binaries: Partial<KubeBinaries>): Promise<void> {
    const { name, log, startTimeoutMs } = this.#options;
    const deadline = Date.now() + startTimeoutMs;
    const started = performance.now();
    const dir = this.dataDir;
    const [etcdClient, etcdPeer, apiserverPort, kcmPort] = await freeLoopbackPorts(4);
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},kubeloom-admin,kubeloom-admin,"system:masters"\n`, {
      mode: 0o600,
    });
    const { privateKey } = await promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    this.#spawn('etcd', required(binaries, 'etcd'), [
      '--name=kubeloom',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=kubeloom=${peerUrl}`,
      // Test data is thrown away, so durability is not worth the fsyncs.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await this.#waitUntil('etcd', deadline, async () => {
      const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) }).catch(
        () => undefined,
      );
      return res?.ok === true && ((await res.json()) as { health?: string }).health === 'true';
    });

    this.serverUrl = `https://127.0.0.1:${apiserverPort}`;
    const certDir = join(dir, 'certs');
    this.#spawn('kube-apiserver', required(binaries, 'kubeApiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiserverPort}`,
      // Without a default route the advertise address cannot be guessed; loopback needs the lease
      // endpoint reconciler off.
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--service-account-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
    ]);
    const servingBundle = join(certDir, 'apiserver.crt');
    let ca = '';
    await this.#waitUntil('kube-apiserver', deadline, async () => {
      if (!ca) {
        if (!existsSync(servingBundle)) return false;
        ca = caOfBundle(readFileSync(servingBundle, 'utf8'));
        if (!ca) return false;
      }
      return (await probeStatus(`${this.serverUrl}/readyz`, { ca, token })) === 200;
    });
    writeFileSync(join(dir, 'ca.crt'), ca);
    writeFileSync(this.kubeconfigPath, await kubeconfigYaml(name, this.serverUrl, ca, token), {
      mode: 0o600,
    });

    if (this.#options.controllerManager) {
      const flexDir = join(dir, 'flex');
      mkdirSync(flexDir);
      this.#spawn('kube-controller-manager', required(binaries, 'kubeControllerManager'), [
        `--kubeconfig=${this.kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`,
        `--root-ca-file=${join(dir, 'ca.crt')}`,
        // Its default is a host directory it would create.
        `--flex-volume-plugin-dir=${flexDir}`,
      ]);
      await this.#waitUntil(
        'kube-controller-manager',
        deadline,
        async () => (await probeStatus(`https://127.0.0.1:${kcmPort}/healthz`)) === 200,
      );
    }
    this.startupMs = performance.now() - started;
    log(`${name}: kube-apiserver ready at ${this.serverUrl} in ${(this.startupMs / 1000).toFixed(1)} s`);
  }

  #spawn(component: Component, binary: string, args: string[]): void {
    this.#options.log(`${this.#options.name}: starting ${component} (${binary})`);
    this.#processes.set(
      component,
      SupervisedProcess.start(binary, args, {
        env: serverEnvironment(),
        logFile: join(this.dataDir, `${component}.log`),
        cwd: this.dataDir,
        // The data is thrown away, so a server that does not exit quickly on SIGTERM is not waited for long.
        graceSeconds: 2,
      }),
    );
  }

  async #waitUntil(component: Component, deadline: number, ready: () => Promise<boolean>): Promise<void> {
    const proc = this.#processes.get(component);
    for (;;) {
      if (await ready()) return;
      if (proc && !proc.running) {
        throw new Error(
          `${component} of test cluster "${this.#options.name}" exited with ${proc.exitInfo} before it was ready; last lines of ${join(this.dataDir, `${component}.log`)}:\n${this.logTail(component)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${component} of test cluster "${this.#options.name}" was not ready within ${this.#options.startTimeoutMs} ms (raise startTimeoutMs on a slow machine); last lines of its log:\n${this.logTail(component)}`,
        );
      }
      await sleep(100);
    }
  }
}

function required(binaries: Partial<KubeBinaries>, key: keyof KubeBinaries): string {
  const path = binaries[key];
  if (!path) throw new Error(`unreachable: no ${key} binary was resolved`);
  return path;
}

/**
 * This process's environment without `ETCD_*` variables: etcd reads every one of them as a flag, so an
 * `ETCD_BIN` meant for kubeloom would otherwise be reported as an unknown etcd setting.
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ETCD_')));
}

/**
 * The CA certificate from the apiserver's `--cert-dir` bundle: the serving certificate comes first and
 * its self-signed CA second. Empty while the file is still being written.
 */
function caOfBundle(bundle: string): string {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  return blocks.length >= 2 ? (blocks[blocks.length - 1] ?? '') : '';
}

async function kubeconfigYaml(name: string, server: string, ca: string, token: string): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } },
    ],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
  });
}
