import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, NamespaceResource, waitFor } from '@kubeloom/core';
import { SupervisedProcess, freeLoopbackPort, probeStatus } from '@kubeloom/core/testing';
import type { APIBinding, APIExport } from '../apis/apis.ts';
import { ShardResource } from '../apis/core.ts';
import { clusterUrl } from '../apis/urls.ts';
import {
  type BindApiExportOptions,
  type CreateApiExportOptions,
  bindApiExport,
  createApiExport,
  waitForEndpointSliceUrls,
} from '../workspaces/api-exports.ts';
import { type CreateWorkspaceOptions, type KcpWorkspace, createWorkspace } from '../workspaces/workspaces.ts';
import { type ShardedKcpBinaries, ensureShardedKcpBinaries } from './kcp-binary.ts';
import { writeKubeconfigFile } from './kubeconfig-file.ts';
import { TestCertificateAuthority } from './test-certificates.ts';

/** One shard of a {@link ShardedKcpTestEnvironment}. */
export interface KcpShard {
  /** The Shard object's name: `root` for the first, then `shard-1`, `shard-2`, ... */
  readonly name: string;
  /** `https://127.0.0.1:<port>`: the shard itself, not the front proxy. */
  readonly baseUrl: string;
  /** Its secure port. */
  readonly port: number;
  /** Where its virtual workspaces are served (`Shard.spec.virtualWorkspaceURL`); the base URL by default. */
  readonly virtualWorkspaceUrl: string;
}

/** Options for {@link ShardedKcpTestEnvironment.start}. */
export interface ShardedKcpStartOptions {
  /** Number of shards, the root shard included. Default 2. */
  shards?: number;
  /** The binaries. Default: {@link ensureShardedKcpBinaries} (env vars, PATH, cache, go build). */
  binaries?: ShardedKcpBinaries;
  /** Root directory for every component's state. Default: a fresh temporary directory, removed on stop. */
  rootDir?: string;
  /** How long to wait for each component to be ready. Default 180 s. */
  startTimeoutMs?: number;
  /**
   * The URL a shard publishes for its virtual workspaces, given its name and secure port; default the shard's
   * own URL. A test routes it through a TCP gate to make one shard's virtual workspaces unreachable.
   */
  virtualWorkspaceUrl?: (shard: { name: string; port: number }) => string | Promise<string>;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

/** A component of the topology: a cache server, a shard or the front proxy, under a supervisor. */
class TopologyProcess {
  readonly name: string;
  readonly logFile: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly dir: string;
  readonly readyUrl: string;
  /** Bearer token for `/readyz`, for a component that does not answer it anonymously. */
  readonly token: string | undefined;
  #process: SupervisedProcess | undefined;

  constructor(
    name: string,
    binary: string,
    args: readonly string[],
    dir: string,
    readyUrl: string,
    token: string | undefined,
  ) {
    this.name = name;
    this.binary = binary;
    this.args = args;
    this.dir = dir;
    this.readyUrl = readyUrl;
    this.token = token;
    this.logFile = join(dir, `${name}.log`);
  }

  async start(timeoutMs: number): Promise<number> {
    const started = performance.now();
    mkdirSync(this.dir, { recursive: true });
    const proc = SupervisedProcess.start(this.binary, this.args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? this.dir },
      logFile: this.logFile,
      cwd: this.dir,
      graceSeconds: 10,
    });
    this.#process = proc;
    const deadline = Date.now() + timeoutMs;
    const probe = this.token ? { token: this.token } : {};
    while ((await probeStatus(`${this.readyUrl}/readyz`, probe)) !== 200) {
      if (!proc.running)
        throw new Error(
          `${this.name} exited with ${proc.exitInfo} before becoming ready; last log lines:\n${this.logTail(30)}`,
        );
      if (Date.now() > deadline) {
        await proc.stop();
        throw new Error(
          `${this.name} was not ready within ${timeoutMs} ms; last log lines:\n${this.logTail(30)}`,
        );
      }
      await sleep(250);
    }
    return performance.now() - started;
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
    this.#process = undefined;
  }

  logTail(lines: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/**
 * A sharded kcp for tests, in the topology of kcp's own sharded test server: a cache server, a root shard,
 * more shards that join it, and a front proxy that routes `/clusters/<workspace>` to the shard holding the
 * workspace. Every port is a free loopback port, so it runs beside other kcps. Clients built from
 * {@link kubeconfigPath} talk to the front proxy with a static admin token (group `system:kcp:admin`), which
 * every shard accepts directly too; each shard serves its own virtual workspaces at its own URL, which is
 * what an APIExport's endpoint slice lists (one URL per shard that has a binding).
 *
 * Place a workspace on a shard with `createWorkspace({ shard: 'shard-1' })` (a `spec.location.selector` on
 * the shard's `name` label). Starting takes two to four times as long as a single kcp; start it once per test
 * file.
 */
export class ShardedKcpTestEnvironment {
  /** Kubeconfig for the admin identity through the front proxy; current context `root`, also `base`. */
  readonly kubeconfigPath: string;
  /** The front proxy, `https://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Admin client for the root workspace, through the front proxy. */
  readonly client: Client;
  /** The shards, root first. */
  readonly shards: readonly KcpShard[];
  /** Milliseconds from the first spawn until every component was ready. */
  readonly startupMs: number;
  readonly #processes: Map<string, TopologyProcess>;
  readonly #rootDir: string;
  readonly #ownsRootDir: boolean;

  private constructor(init: {
    kubeconfigPath: string;
    baseUrl: string;
    shards: KcpShard[];
    startupMs: number;
    processes: Map<string, TopologyProcess>;
    rootDir: string;
    ownsRootDir: boolean;
  }) {
    this.kubeconfigPath = init.kubeconfigPath;
    this.baseUrl = init.baseUrl;
    this.shards = init.shards;
    this.startupMs = init.startupMs;
    this.#processes = init.processes;
    this.#rootDir = init.rootDir;
    this.#ownsRootDir = init.ownsRootDir;
    this.client = Client.fromKubeConfig({ path: init.kubeconfigPath, context: 'root' });
  }

  /** Starts the cache server, the shards and the front proxy, and waits until all are ready. */
  static async start(options: ShardedKcpStartOptions = {}): Promise<ShardedKcpTestEnvironment> {
    const started = performance.now();
    const log = options.log ?? (() => {});
    const shardCount = options.shards ?? 2;
    if (shardCount < 1) throw new RangeError('a sharded kcp needs at least one shard');
    const timeoutMs = options.startTimeoutMs ?? 180_000;
    const binaries =
      options.binaries ?? (await ensureShardedKcpBinaries(options.log ? { log: options.log } : {}));
    const ownsRootDir = !options.rootDir;
    const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), 'kubeloom-sharded-kcp-'));
    const pki = join(rootDir, 'pki');
    mkdirSync(pki, { recursive: true });
    const processes = new Map<string, TopologyProcess>();
    try {
      const plan = await planTopology(rootDir, pki, shardCount, binaries, options);
      for (const p of [plan.cache, ...plan.shards, plan.proxy]) processes.set(p.name, p);
      // All at once: a shard waits for the cache server, and a shard joining waits for the root shard, by
      // itself; starting them one after the other would add their start times up.
      log(`sharded kcp: starting the cache server and ${shardCount} shard(s) (root ${rootDir})`);
      await Promise.all([plan.cache, ...plan.shards].map((p) => p.start(timeoutMs)));
      log('sharded kcp: starting the front proxy');
      await plan.proxy.start(timeoutMs);
      const env = new ShardedKcpTestEnvironment({
        kubeconfigPath: plan.adminKubeconfig,
        baseUrl: plan.proxyUrl,
        shards: plan.shardInfo,
        startupMs: performance.now() - started,
        processes,
        rootDir,
        ownsRootDir,
      });
      await env.#waitUntilServing();
      log(`sharded kcp: ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return env;
    } catch (err) {
      for (const p of [...processes.values()].toReversed()) await p.stop();
      if (ownsRootDir) rmSync(rootDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** An admin client for a workspace path or logical cluster name, through the front proxy. */
  clientFor(workspace: string): Client {
    return this.client.withServer(clusterUrl(this.baseUrl, workspace));
  }

  /** The shard of that name; throws naming the shards there are. */
  shard(name: string): KcpShard {
    const shard = this.shards.find((s) => s.name === name);
    if (!shard)
      throw new Error(`no shard named ${name}; this kcp has ${this.shards.map((s) => s.name).join(', ')}`);
    return shard;
  }

  /**
   * Creates a workspace under `root` (default name prefix `e2e-`) and waits until it is Ready; `shard` places
   * it on that shard (default: wherever kcp schedules it).
   */
  createWorkspace(options: CreateWorkspaceOptions & { shard?: string } = {}): Promise<KcpWorkspace> {
    const { shard, ...rest } = options;
    if (shard !== undefined) this.shard(shard);
    return createWorkspace(this.client, {
      generateName: 'e2e-',
      ...rest,
      ...(shard !== undefined ? { location: { selector: { matchLabels: { name: shard } } } } : {}),
    });
  }

  /** Creates APIResourceSchemas and an APIExport, and waits for the export's identity. */
  createApiExport(options: CreateApiExportOptions): Promise<APIExport> {
    return createApiExport(this.client, options);
  }

  /** Binds an export into a workspace, accepting its claims with the export's exact verbs; waits for Ready. */
  bindApiExport(options: BindApiExportOptions): Promise<APIBinding> {
    return bindApiExport(this.client, options);
  }

  /** Waits until the endpoint slice lists at least `count` virtual-workspace URLs and returns them. */
  async endpointUrls(workspace: string, sliceName: string, count = 1, timeoutMs = 60_000): Promise<string[]> {
    let urls: string[] = [];
    await waitFor(
      async () => {
        urls = await waitForEndpointSliceUrls(this.client, workspace, sliceName, timeoutMs);
        return urls.length >= count;
      },
      {
        what: `endpoint slice ${workspace}:${sliceName} to list ${count} URL(s)`,
        timeoutMs,
        describe: () => urls.join(', '),
      },
    );
    return urls;
  }

  /** The last lines a component (`cache`, a shard name, `front-proxy`) wrote, for diagnosing a failed test. */
  logTail(component: string, lines = 40): string {
    return this.#process(component).logTail(lines);
  }

  /** Stops every component (front proxy first) and removes the temporary root directory. */
  async stop(): Promise<void> {
    await this.client.rest.pool.close();
    for (const p of [...this.#processes.values()].toReversed()) await p.stop();
    if (this.#ownsRootDir) rmSync(this.#rootDir, { recursive: true, force: true });
  }

  #process(name: string): TopologyProcess {
    const p = this.#processes.get(name);
    if (!p)
      throw new Error(`no component named ${name}; there are ${[...this.#processes.keys()].join(', ')}`);
    return p;
  }

  /** Ready probes pass before the front proxy knows every shard and before root's default namespace exists. */
  async #waitUntilServing(): Promise<void> {
    await waitFor(() => this.client.get(NamespaceResource, 'default').then(() => true), {
      what: `namespace default in root through the front proxy at ${this.baseUrl}`,
      timeoutMs: 60_000,
    });
    let names: string[] = [];
    await waitFor(
      async () => {
        names = (await this.client.list(ShardResource)).items.map((s) => s.metadata.name ?? '');
        return this.shards.every((s) => names.includes(s.name));
      },
      {
        what: `every shard to register in root`,
        timeoutMs: 60_000,
        describe: () => `registered: ${names.join(', ')}`,
      },
    );
  }
}

interface TopologyPlan {
  cache: TopologyProcess;
  shards: TopologyProcess[];
  proxy: TopologyProcess;
  shardInfo: KcpShard[];
  proxyUrl: string;
  adminKubeconfig: string;
}

/** Ports, certificates, tokens, kubeconfigs and command lines of every component. */
async function planTopology(
  rootDir: string,
  pki: string,
  shardCount: number,
  binaries: ShardedKcpBinaries,
  options: ShardedKcpStartOptions,
): Promise<TopologyPlan> {
  const host = '127.0.0.1';
  const servingCa = await TestCertificateAuthority.create(
    pki,
    'serving-ca',
    'kubeloom-sharded-kcp-serving-ca',
  );
  const requestHeaderCa = await TestCertificateAuthority.create(
    pki,
    'requestheader-ca',
    'kubeloom-front-proxy-ca',
  );
  const serving = await servingCa.issue('serving', { kind: 'server', hosts: [host, 'localhost'] });
  const proxyClient = await requestHeaderCa.issue('front-proxy-client', {
    kind: 'client',
    user: 'kcp-front-proxy',
  });

  const tokens = {
    admin: randomToken(),
    shardAdmin: randomToken(),
    logicalClusterAdmin: randomToken(),
    externalLogicalClusterAdmin: randomToken(),
  };
  const tokenFile = join(pki, 'tokens.csv');
  writeFileSync(
    tokenFile,
    [
      `${tokens.admin},kubeloom-admin,kubeloom-admin,"system:kcp:admin"`,
      `${tokens.shardAdmin},shard-admin,shard-admin,"system:masters"`,
      `${tokens.logicalClusterAdmin},logical-cluster-admin,logical-cluster-admin,"system:kcp:logical-cluster-admin"`,
      `${tokens.externalLogicalClusterAdmin},external-logical-cluster-admin,external-logical-cluster-admin,"system:kcp:external-logical-cluster-admin"`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  const cachePort = await freeLoopbackPort();
  const proxyPort = await freeLoopbackPort();
  const proxyUrl = `https://${host}:${proxyPort}`;
  const shardPorts: number[] = [];
  for (let i = 0; i < shardCount; i++) shardPorts.push(await freeLoopbackPort());
  const rootShardUrl = `https://${host}:${shardPorts[0]}`;
  const ca = servingCa.pem();

  const kubeconfig = (name: string, server: string, token: string | undefined, context = 'base'): string => {
    const path = join(pki, `${name}.kubeconfig`);
    writeKubeconfig(path, [{ context, server }], ca, token);
    return path;
  };
  const cacheKubeconfig = kubeconfig('cache', `https://${host}:${cachePort}`, undefined, 'cache');
  const logicalClusterAdmin = kubeconfig('logical-cluster-admin', rootShardUrl, tokens.logicalClusterAdmin);
  const externalLogicalClusterAdmin = kubeconfig(
    'external-logical-cluster-admin',
    proxyUrl,
    tokens.externalLogicalClusterAdmin,
  );
  const rootShardKubeconfig = kubeconfig('root-shard', rootShardUrl, tokens.shardAdmin, 'shard-base');
  const shardsKubeconfig = kubeconfig('shards', rootShardUrl, tokens.shardAdmin);
  const adminKubeconfig = join(rootDir, 'kubeloom.kubeconfig');
  writeKubeconfig(
    adminKubeconfig,
    [
      { context: 'root', server: `${proxyUrl}/clusters/root` },
      { context: 'base', server: proxyUrl },
    ],
    ca,
    tokens.admin,
  );

  const cache = new TopologyProcess(
    'cache',
    binaries.cacheServer,
    [
      `--root-directory=${join(rootDir, 'cache')}`,
      `--bind-address=${host}`,
      `--secure-port=${cachePort}`,
      `--embedded-etcd-client-port=${await freeLoopbackPort()}`,
      `--embedded-etcd-peer-port=${await freeLoopbackPort()}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
    ],
    join(rootDir, 'cache'),
    `https://${host}:${cachePort}`,
    undefined,
  );

  const shards: TopologyProcess[] = [];
  const shardInfo: KcpShard[] = [];
  for (let i = 0; i < shardCount; i++) {
    const name = i === 0 ? 'root' : `shard-${i}`;
    const shardPort = shardPorts[i] as number;
    const baseUrl = `https://${host}:${shardPort}`;
    const virtualWorkspaceUrl = (await options.virtualWorkspaceUrl?.({ name, port: shardPort })) ?? baseUrl;
    const dir = join(rootDir, name);
    shards.push(
      new TopologyProcess(
        name,
        binaries.kcp,
        [
          'start',
          `--root-directory=${dir}`,
          `--bind-address=${host}`,
          `--secure-port=${shardPort}`,
          `--embedded-etcd-client-port=${await freeLoopbackPort()}`,
          `--embedded-etcd-peer-port=${await freeLoopbackPort()}`,
          `--token-auth-file=${tokenFile}`,
          `--tls-cert-file=${serving.cert}`,
          `--tls-private-key-file=${serving.key}`,
          `--requestheader-client-ca-file=${requestHeaderCa.files.cert}`,
          '--requestheader-username-headers=X-Remote-User',
          '--requestheader-group-headers=X-Remote-Group',
          '--requestheader-extra-headers-prefix=X-Remote-Extra-',
          `--shard-base-url=${baseUrl}`,
          `--shard-external-url=${proxyUrl}`,
          `--shard-virtual-workspace-url=${virtualWorkspaceUrl}`,
          `--logical-cluster-admin-kubeconfig=${logicalClusterAdmin}`,
          `--external-logical-cluster-admin-kubeconfig=${externalLogicalClusterAdmin}`,
          `--cache-kubeconfig=${cacheKubeconfig}`,
          // Without this a shard waits for open watches to end before it exits, so a stop would need SIGKILL.
          '--shutdown-watch-termination-grace-period=2s',
          ...(i === 0 ? [] : [`--shard-name=${name}`, `--root-shard-kubeconfig-file=${rootShardKubeconfig}`]),
        ],
        dir,
        baseUrl,
        undefined,
      ),
    );
    shardInfo.push({ name, baseUrl, port: shardPort, virtualWorkspaceUrl });
  }

  const proxyDir = join(rootDir, 'front-proxy');
  mkdirSync(proxyDir, { recursive: true });
  const mappingFile = join(proxyDir, 'mapping.yaml');
  // JSON is YAML; the proxy forwards with its client certificate and the caller's identity in headers.
  writeFileSync(
    mappingFile,
    JSON.stringify([
      {
        path: '/clusters/',
        backend: rootShardUrl,
        backend_server_ca: servingCa.files.cert,
        proxy_client_cert: proxyClient.cert,
        proxy_client_key: proxyClient.key,
      },
    ]),
  );
  const proxy = new TopologyProcess(
    'front-proxy',
    binaries.frontProxy,
    [
      `--bind-address=${host}`,
      `--secure-port=${proxyPort}`,
      `--mapping-file=${mappingFile}`,
      `--root-directory=${proxyDir}`,
      `--root-kubeconfig=${shardsKubeconfig}`,
      `--shards-kubeconfig=${shardsKubeconfig}`,
      `--token-auth-file=${tokenFile}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
    ],
    proxyDir,
    proxyUrl,
    tokens.admin,
  );
  return { cache, shards, proxy, shardInfo, proxyUrl, adminKubeconfig };
}

function randomToken(): string {
  return randomBytes(24).toString('hex');
}

/** Writes a kubeconfig with one context per entry, all trusting `caPem` and using `token` (if any). */
function writeKubeconfig(
  path: string,
  entries: ReadonlyArray<{ context: string; server: string }>,
  caPem: string,
  token: string | undefined,
): void {
  const caData = Buffer.from(caPem).toString('base64');
  writeKubeconfigFile(path, {
    clusters: entries.map((e) => ({ name: e.context, server: e.server, caData, skipTLSVerify: false })),
    users: [{ name: 'user', ...(token ? { token } : {}) }],
    contexts: entries.map((e) => ({ name: e.context, cluster: e.context, user: 'user' })),
    currentContext: entries[0]?.context ?? 'base',
  });
}
