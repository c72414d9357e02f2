import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, NamespaceResource, waitFor } from '@kubeloom/core';
import { freeLoopbackPort, probeStatus } from '@kubeloom/core/testing';
import type { APIBinding, APIExport } from '../apis/apis.ts';
import { clusterUrl, serverBase } from '../apis/urls.ts';
import {
  type BindApiExportOptions,
  type CreateApiExportOptions,
  bindApiExport,
  createApiExport,
  waitForEndpointSliceUrls,
} from '../workspaces/api-exports.ts';
import { type CreateWorkspaceOptions, type KcpWorkspace, createWorkspace } from '../workspaces/workspaces.ts';
import { ensureKcpBinary } from './kcp-binary.ts';
import { readKubeconfigFile, writeKubeconfigFile } from './kubeconfig-file.ts';

/** Environment variable naming a kubeconfig of an already running kcp to attach to instead of starting one. */
export const EXISTING_KCP_KUBECONFIG_ENV = 'KUBELOOM_KCP_KUBECONFIG';

/** Options for {@link KcpTestEnvironment.start}. */
export interface KcpStartOptions {
  /** kcp binary. Default: {@link ensureKcpBinary} (KCP_BIN, PATH, cache, download, go build). */
  binary?: string;
  /** Root directory for kcp's state. Default: a fresh temporary directory, removed on stop. */
  rootDir?: string;
  /**
   * Loopback ports to serve on. Default: free ones. Give the same ports when restarting on a kept
   * `rootDir`: kcp stores its URL in its shard and the APIExportEndpointSlices, which may keep pointing at
   * the old port for a long while after a restart on another.
   */
  ports?: KcpPorts;
  /** How long to wait for `/readyz`. Default 120 s. */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop. Default 20 s. */
  stopTimeoutMs?: number;
  /** Extra `kcp start` flags. */
  extraArgs?: string[];
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

/** The loopback ports of a kcp started by {@link KcpTestEnvironment.start}. */
export interface KcpPorts {
  /** The API (and virtual workspaces). */
  secure: number;
  /** Embedded etcd's client port. */
  etcdClient: number;
  /** Embedded etcd's peer port. */
  etcdPeer: number;
}

/** What a started kcp needs in order to be attached to from another process (e.g. a vitest worker). */
export interface KcpConnection {
  /** A kubeconfig whose current context points at `/clusters/root` with a `system:kcp:admin` identity. */
  kubeconfigPath: string;
}

/**
 * A real kcp for tests and demos. {@link KcpTestEnvironment.start} runs `kcp start` on free loopback ports
 * in a fresh root directory and waits until it is ready; {@link KcpTestEnvironment.attach} uses one that is
 * already running (set `KUBELOOM_KCP_KUBECONFIG` to make {@link KcpTestEnvironment.fromEnvironment} do so).
 *
 * The environment's identity is a static token (kcp's `--token-auth-file`) in group `system:kcp:admin`,
 * so clients built from {@link KcpTestEnvironment.kubeconfigPath} keep working across {@link restart}
 * (kcp regenerates its own `kcp-admin` token on every start).
 */
export class KcpTestEnvironment {
  /** Kubeconfig for the environment's admin identity; current context `root`, also `base`. */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`, without `/clusters/...`. */
  readonly baseUrl: string;
  /** Admin client for the root workspace. */
  readonly client: Client;
  /** Milliseconds from spawn to ready for the last (re)start; 0 when attached. */
  startupMs = 0;
  readonly #process: KcpProcess | undefined;

  private constructor(kubeconfigPath: string, process: KcpProcess | undefined) {
    this.kubeconfigPath = kubeconfigPath;
    this.#process = process;
    this.client = Client.fromKubeConfig({ path: kubeconfigPath, context: 'root' });
    this.baseUrl = serverBase(this.client.rest.server);
  }

  /** Starts a new kcp. */
  static async start(options: KcpStartOptions = {}): Promise<KcpTestEnvironment> {
    const binary = options.binary ?? (await ensureKcpBinary(options.log ? { log: options.log } : {})).path;
    const proc = new KcpProcess(binary, options);
    await proc.start();
    const env = new KcpTestEnvironment(proc.kubeconfigPath, proc);
    env.startupMs = proc.startupMs;
    await env.#waitForRootNamespace();
    return env;
  }

  /** Attaches to a running kcp through an admin kubeconfig (server = base URL or `/clusters/root`). */
  static async attach(connection: KcpConnection): Promise<KcpTestEnvironment> {
    if (!existsSync(connection.kubeconfigPath)) {
      throw new Error(`cannot attach to kcp: kubeconfig ${connection.kubeconfigPath} does not exist`);
    }
    const kubeconfigPath = normaliseKubeconfig(connection.kubeconfigPath);
    const env = new KcpTestEnvironment(kubeconfigPath, undefined);
    await env.#waitForRootNamespace();
    return env;
  }

  /** Attaches if `KUBELOOM_KCP_KUBECONFIG` is set, otherwise starts a new kcp. */
  static fromEnvironment(options: KcpStartOptions = {}): Promise<KcpTestEnvironment> {
    const existing = process.env[EXISTING_KCP_KUBECONFIG_ENV];
    return existing
      ? KcpTestEnvironment.attach({ kubeconfigPath: existing })
      : KcpTestEnvironment.start(options);
  }

  /** What another process needs to attach to this kcp. */
  get connection(): KcpConnection {
    return { kubeconfigPath: this.kubeconfigPath };
  }

  /** The ports of a kcp started by this environment. */
  get ports(): KcpPorts | undefined {
    return this.#process?.ports;
  }

  /** Root directory of a kcp started by this environment. */
  get rootDir(): string | undefined {
    return this.#process?.rootDir;
  }

  /** An admin client for a workspace path or logical cluster name. */
  clientFor(workspace: string): Client {
    return this.client.withServer(clusterUrl(this.baseUrl, workspace));
  }

  /** Creates a workspace under `root` (default name prefix `e2e-`) and waits until it is Ready. */
  createWorkspace(options: CreateWorkspaceOptions = {}): Promise<KcpWorkspace> {
    return createWorkspace(this.client, { generateName: 'e2e-', ...options });
  }

  /** Creates APIResourceSchemas and an APIExport, and waits for the export's identity. */
  createApiExport(options: CreateApiExportOptions): Promise<APIExport> {
    return createApiExport(this.client, options);
  }

  /** Binds an export into a workspace, accepting its claims with the export's exact verbs; waits for Ready. */
  bindApiExport(options: BindApiExportOptions): Promise<APIBinding> {
    return bindApiExport(this.client, options);
  }

  /** Waits until the endpoint slice lists a virtual-workspace URL and returns the URLs. */
  endpointUrls(workspace: string, sliceName: string, timeoutMs?: number): Promise<string[]> {
    return waitForEndpointSliceUrls(this.client, workspace, sliceName, timeoutMs);
  }

  /**
   * Stops kcp and starts it again with the same root directory and ports; state survives, and so do clients
   * using {@link kubeconfigPath}. `downtimeMs` keeps it down that long in between.
   */
  async restart(options: { downtimeMs?: number } = {}): Promise<void> {
    if (!this.#process)
      throw new Error('restart() needs a kcp started by this environment, not an attached one');
    await this.#process.stop();
    if (options.downtimeMs) await sleep(options.downtimeMs);
    await this.#process.start();
    this.startupMs = this.#process.startupMs;
    await this.#waitForRootNamespace();
  }

  /**
   * Closes this environment's connections; if it started kcp, also stops it (SIGTERM, then SIGKILL) and
   * removes its temporary root directory. An attached kcp keeps running.
   */
  async stop(): Promise<void> {
    await this.client.rest.pool.close();
    await this.#process?.stop();
    this.#process?.cleanup();
  }

  /** The last lines kcp wrote, for diagnosing a failed test. */
  logTail(lines = 40): string {
    return this.#process?.logTail(lines) ?? '';
  }

  async #waitForRootNamespace(): Promise<void> {
    await waitFor(() => this.client.get(NamespaceResource, 'default').then(() => true), {
      what: `namespace default in root of kcp at ${this.baseUrl}`,
      timeoutMs: 30_000,
    });
  }
}

/** One `kcp start` child process with fixed ports and root directory. */
class KcpProcess {
  readonly rootDir: string;
  readonly kubeconfigPath: string;
  startupMs = 0;
  readonly #binary: string;
  readonly #options: KcpStartOptions;
  readonly #ownsRootDir: boolean;
  readonly #token = randomBytes(24).toString('hex');
  #ports: KcpPorts | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #killOnExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  constructor(binary: string, options: KcpStartOptions) {
    this.#binary = binary;
    this.#options = options;
    this.#ownsRootDir = !options.rootDir;
    this.rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), 'kubeloom-kcp-'));
    this.kubeconfigPath = join(this.rootDir, 'kubeloom.kubeconfig');
  }

  get ports(): KcpPorts | undefined {
    return this.#ports;
  }

  get #logPath(): string {
    return join(this.rootDir, 'kcp.log');
  }

  /**
   * Starts kcp. On the first start the ports are chosen free, but another process can take one before kcp
   * binds it; that shows as "address already in use", and the start is tried once more on new ports.
   * A restart keeps its ports, so kubeconfigs written for it stay valid.
   */
  async start(): Promise<void> {
    const choosingPorts = this.#ports === undefined && this.#options.ports === undefined;
    try {
      await this.#startOnce();
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      if (!choosingPorts || !message.includes('address already in use')) throw err;
      this.#options.log?.('kcp: a port was taken by another process; starting again on new ports');
      await this.stop();
      this.#ports = undefined;
      await this.#startOnce();
    }
  }

  async #startOnce(): Promise<void> {
    this.#ports ??= this.#options.ports ?? {
      secure: await freeLoopbackPort(),
      etcdClient: await freeLoopbackPort(),
      etcdPeer: await freeLoopbackPort(),
    };
    mkdirSync(this.rootDir, { recursive: true });
    const tokenFile = join(this.rootDir, 'kubeloom-tokens.csv');
    writeFileSync(tokenFile, `${this.#token},kubeloom-admin,kubeloom-admin,"system:kcp:admin"\n`, {
      mode: 0o600,
    });
    const args = [
      'start',
      `--root-directory=${this.rootDir}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${this.#ports.secure}`,
      `--embedded-etcd-client-port=${this.#ports.etcdClient}`,
      `--embedded-etcd-peer-port=${this.#ports.etcdPeer}`,
      `--token-auth-file=${tokenFile}`,
      // Without this kcp waits for open watches to end before it exits, so stop() would need SIGKILL.
      '--shutdown-watch-termination-grace-period=2s',
      ...(this.#options.extraArgs ?? []),
    ];
    const started = performance.now();
    const log = openSync(this.#logPath, 'a');
    this.#options.log?.(`kcp: starting on https://127.0.0.1:${this.#ports.secure} (root ${this.rootDir})`);
    const child = spawn(this.#binary, args, { stdio: ['ignore', log, log], cwd: this.rootDir });
    closeSync(log);
    this.#child = child;
    process.once('exit', this.#killOnExit);
    let exitInfo: string | undefined;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
      child.once('error', (err) => {
        exitInfo = `could not be started: ${err.message}`;
        resolve();
      });
    });
    const timeoutMs = this.#options.startTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    // `/readyz` answers without authentication; the serving certificate is kcp's own, so it is not checked.
    while ((await probeStatus(`https://127.0.0.1:${this.#ports.secure}/readyz`)) !== 200) {
      if (exitInfo)
        throw new Error(`kcp ${exitInfo} before becoming ready; last log lines:\n${this.logTail(30)}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`kcp was not ready within ${timeoutMs} ms; last log lines:\n${this.logTail(30)}`);
      }
      await sleep(200);
    }
    this.startupMs = performance.now() - started;
    this.#options.log?.(`kcp: ready in ${(this.startupMs / 1000).toFixed(1)} s`);
    this.#writeKubeconfig();
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', this.#killOnExit);
      this.#child = undefined;
      return;
    }
    child.kill('SIGTERM');
    const grace = this.#options.stopTimeoutMs ?? 20_000;
    // Cancel the grace timer once kcp has exited, or it would keep the process alive for the full period.
    const graceTimer = new AbortController();
    const timedOut = await Promise.race([
      this.#exited.then(() => false),
      sleep(grace, true, { signal: graceTimer.signal }).catch(() => false),
    ]);
    graceTimer.abort();
    if (timedOut) {
      child.kill('SIGKILL');
      await this.#exited;
    }
    process.removeListener('exit', this.#killOnExit);
    this.#child = undefined;
  }

  cleanup(): void {
    if (this.#ownsRootDir) rmSync(this.rootDir, { recursive: true, force: true });
  }

  logTail(lines: number): string {
    try {
      return readFileSync(this.#logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Writes a kubeconfig for the static admin token, with kcp's serving CA from admin.kubeconfig. */
  #writeKubeconfig(): void {
    const admin = readKubeconfigFile(join(this.rootDir, 'admin.kubeconfig'));
    const cluster = admin.getCluster('base') ?? admin.getCurrentCluster();
    if (!cluster) throw new Error(`${this.rootDir}/admin.kubeconfig has no cluster`);
    const base = serverBase(cluster.server);
    const ca =
      cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
    writeKubeconfigFile(this.kubeconfigPath, {
      clusters: [
        { name: 'root', server: `${base}/clusters/root`, ...(ca ? { caData: ca } : {}), skipTLSVerify: !ca },
        { name: 'base', server: base, ...(ca ? { caData: ca } : {}), skipTLSVerify: !ca },
      ],
      users: [{ name: 'kubeloom-admin', token: this.#token }],
      contexts: [
        { name: 'root', cluster: 'root', user: 'kubeloom-admin' },
        { name: 'base', cluster: 'base', user: 'kubeloom-admin' },
      ],
      currentContext: 'root',
    });
  }
}

/**
 * Accepts a kubeconfig whose current server is the base URL or any `/clusters/<x>` URL, and returns the
 * path of one whose current context points at `/clusters/root` (writing a sibling file if needed).
 */
function normaliseKubeconfig(path: string): string {
  const kc = readKubeconfigFile(path);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw new Error(`cannot attach to kcp: ${path} has no current cluster or user`);
  const base = serverBase(cluster.server);
  if (cluster.server.replace(/\/+$/, '') === `${base}/clusters/root` && kc.getContextObject('root'))
    return path;
  const target = join(mkdtempSync(join(tmpdir(), 'kubeloom-attach-')), 'kubeconfig');
  writeKubeconfigFile(target, {
    clusters: [
      { ...cluster, name: 'root', server: `${base}/clusters/root` },
      { ...cluster, name: 'base', server: base },
    ],
    users: [user],
    contexts: [
      { name: 'root', cluster: 'root', user: user.name },
      { name: 'base', cluster: 'base', user: user.name },
    ],
    currentContext: 'root',
  });
  return target;
}
