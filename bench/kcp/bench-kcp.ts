/**
 * The benchmark's own kcp, whose state outlives a run: its root directory is under the kubeloom cache
 * (`~/.cache/kubeloom/bench-kcp/<kcp version>/`), so the consumer workspaces are created once and reused
 * by every later run, which only tops up what is missing.
 *
 * The fleet is fixed by name: `root:bench-provider` holds one APIExport per fleet size N (`bench-<N>`,
 * claiming ConfigMaps and Events), and `root:bench-consumer-0000`, `-0001`, … each hold one ConfigMap
 * `default/bench-seed`. Export `bench-<N>` is bound in consumers 0 … N-1 only, so one kcp serves every N:
 * a program that follows `bench-<N>`'s endpoint slice sees exactly N workspaces. Consumers beyond N are
 * spares that the bind test binds while a program runs, and unbinds afterwards.
 *
 * What has been done is recorded in `pool.json` beside kcp's data, with how fast each top-up went.
 * One process at a time uses that directory (a `lock` file holds its pid); a run that finds it in use
 * starts a temporary kcp instead, whose workspaces last only that run.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiError,
  ConfigMapResource,
  isAlreadyExists,
  isForbidden,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import {
  APIBindingResource,
  type KcpWorkspace,
  WorkspaceResource,
  clusterUrl,
  createWorkspace,
} from '@kubeloom/kcp-provider';
import { freeLoopbackPorts, isProcessAlive } from '@kubeloom/core/testing';
import {
  KCP_VERSION,
  type KcpPorts,
  KcpTestEnvironment,
  kubeloomCacheDir,
} from '@kubeloom/kcp-provider/testing';

/** Label on every consumer workspace of the bench fleet. */
export const CONSUMER_LABEL = 'bench.kubeloom.dev/consumer';
/** The workspace holding the exports. */
export const PROVIDER_WORKSPACE = 'bench-provider';
/** The ConfigMap every consumer holds. */
export const SEED_CONFIGMAP = 'bench-seed';

/** The export (and endpoint slice) bound in exactly `n` consumers. */
export const exportFor = (n: number): string => `bench-${n}`;
const consumerName = (i: number): string => `bench-consumer-${String(i).padStart(4, '0')}`;

/** How one top-up went: the figures docs/benchmarks.md quotes for creating a fleet. */
export interface TopUp {
  what: 'workspaces' | 'bindings';
  exportName?: string;
  from: number;
  to: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  load: number[];
  at: string;
}

interface PoolFile {
  kcpVersion: string;
  /** kcp serves on the same ports every time: it keeps its URL in the endpoint slices. */
  ports?: KcpPorts;
  /** Consumers 0 … seeded-1 exist, are Ready and hold their ConfigMap. */
  seeded: number;
  /** Per export: consumers 0 … n-1 have a Ready binding to it. */
  bound: Record<string, number>;
  topUps: TopUp[];
}

/** Options for {@link BenchKcp.open}. */
export interface BenchKcpOptions {
  /** Where kcp's data and pool.json live. Default `<kubeloom cache>/bench-kcp/<kcp version>`. */
  dir?: string;
  log: (line: string) => void;
}

/** The persistent bench kcp and its fleet of consumer workspaces. */
export class BenchKcp {
  readonly kcp: KcpTestEnvironment;
  readonly dir: string;
  readonly provider: KcpWorkspace;
  /** Consumers by index, as far as they are known to exist. */
  readonly #consumers: KcpWorkspace[];
  readonly #pool: PoolFile;
  readonly #log: (line: string) => void;

  private constructor(
    kcp: KcpTestEnvironment,
    dir: string,
    provider: KcpWorkspace,
    consumers: KcpWorkspace[],
    pool: PoolFile,
    log: (line: string) => void,
  ) {
    this.kcp = kcp;
    this.dir = dir;
    this.provider = provider;
    this.#consumers = consumers;
    this.#pool = pool;
    this.#log = log;
  }

  /** Starts kcp on the persistent data directory and reads which consumers exist. */
  static async open(options: BenchKcpOptions): Promise<BenchKcp> {
    let dir = options.dir ?? join(kubeloomCacheDir(), 'bench-kcp', KCP_VERSION);
    mkdirSync(dir, { recursive: true });
    const holder = lockHolder(dir);
    if (holder !== undefined) {
      const persistent = dir;
      dir = mkdtempSync(join(tmpdir(), 'kubeloom-bench-kcp-'));
      options.log(
        `bench kcp: ${persistent} is in use by process ${holder}; using a temporary kcp in ${dir}, whose workspaces last only this run`,
      );
      lockHolder(dir);
      temporaryDirs.add(dir);
    }
    const poolPath = join(dir, 'pool.json');
    const pool: PoolFile = existsSync(poolPath)
      ? (JSON.parse(readFileSync(poolPath, 'utf8')) as PoolFile)
      : { kcpVersion: KCP_VERSION, seeded: 0, bound: {}, topUps: [] };
    const fresh = !existsSync(join(dir, 'kcp', 'admin.kubeconfig'));
    options.log(`bench kcp: ${fresh ? 'starting on a new' : 'restarting on its'} data directory ${dir}/kcp`);
    if (fresh || !pool.ports) {
      const [secure, etcdClient, etcdPeer] = (await freeLoopbackPorts(3)) as [number, number, number];
      pool.ports = { secure, etcdClient, etcdPeer };
    }
    const running = kcpOnRootDirectory(join(dir, 'kcp'));
    if (running !== undefined)
      throw new Error(
        `bench kcp: a kcp (process ${running}) still runs on ${dir}/kcp, left by a run that ended without stopping it; two on one data directory would corrupt it: end it by its pid (kill ${running}) and run again`,
      );
    for (const port of Object.values(pool.ports))
      if (!(await portIsFree(port)))
        throw new Error(
          `bench kcp: port ${port} on 127.0.0.1, which the kcp in ${dir} serves on (pool.json "ports"), is taken by another process; stop it, or remove ${dir} to start over with new ports and new workspaces`,
        );
    writeFileSync(poolPath, `${JSON.stringify(pool, null, 2)}\n`);
    const kcp = await KcpTestEnvironment.start({
      rootDir: join(dir, 'kcp'),
      ports: pool.ports,
      startTimeoutMs: 600_000,
      log: options.log,
    });
    try {
      if (fresh) Object.assign(pool, { seeded: 0, bound: {} });
      const provider = await createWorkspace(kcp.client, {
        name: PROVIDER_WORKSPACE,
        timeoutMs: 300_000,
      });
      const listed = await kcp.client.list(WorkspaceResource, { labelSelector: CONSUMER_LABEL });
      const consumers: KcpWorkspace[] = [];
      for (const ws of listed.items) {
        const index = Number(ws.metadata.labels?.[CONSUMER_LABEL]);
        const name = ws.metadata.name as string;
        if (ws.status?.phase !== 'Ready' || !ws.spec?.cluster || !Number.isInteger(index)) continue;
        consumers[index] = {
          path: `root:${name}`,
          clusterName: ws.spec.cluster,
          name,
          url: ws.spec.URL ?? '',
        };
      }
      // What pool.json claims is trusted only as far as the workspaces are really there.
      let present = 0;
      while (consumers[present]) present++;
      pool.seeded = Math.min(pool.seeded, present);
      for (const [name, n] of Object.entries(pool.bound)) pool.bound[name] = Math.min(n, pool.seeded);
      options.log(
        `bench kcp: ready in ${(kcp.startupMs / 1000).toFixed(1)} s; ${pool.seeded} consumer workspaces on record`,
      );
      const bench = new BenchKcp(kcp, dir, provider, consumers, pool, options.log);
      bench.#stopOnSignals();
      return bench;
    } catch (err) {
      await kcp.stop();
      releaseLock(dir);
      throw err;
    }
  }

  /**
   * Waits until kcp has settled after its start or a top-up: its own CPU use over 5 s below `maxCores`
   * (kcp re-lists every workspace when it starts; measuring then would measure kcp's warm-up), at most
   * `timeoutMs`. Returns kcp's CPU use in the last window, in cores.
   */
  async settle(maxCores = 0.3, timeoutMs = 180_000): Promise<number> {
    const pid = kcpOnRootDirectory(join(this.dir, 'kcp'));
    if (pid === undefined) return 0;
    const ticks = (): number => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const before = ticks();
      await new Promise((r) => setTimeout(r, 5_000));
      const cores = (ticks() - before) / 100 / 5;
      if (cores < maxCores || performance.now() > deadline) {
        this.#log(
          `bench kcp: using ${cores.toFixed(2)} cores${cores < maxCores ? '' : ' (still busy; measuring anyway)'}`,
        );
        return cores;
      }
    }
  }

  /** Consumer workspaces known to be Ready with their ConfigMap. */
  get seeded(): number {
    return this.#pool.seeded;
  }

  /** Every top-up recorded for this kcp, oldest first. */
  get topUps(): readonly TopUp[] {
    return this.#pool.topUps;
  }

  /** Consumers `from` … `to`-1 (they must exist: see {@link ensureConsumers}). */
  consumers(from: number, to: number): KcpWorkspace[] {
    return Array.from({ length: to - from }, (_, k) => {
      const ws = this.#consumers[from + k];
      if (!ws) throw new Error(`consumer ${from + k} does not exist yet; call ensureConsumers(${to}) first`);
      return ws;
    });
  }

  /**
   * Creates consumers until `count` exist, each with its ConfigMap, `concurrency` at a time. Returns how
   * fast that went, or undefined when nothing was missing.
   */
  async ensureConsumers(count: number, concurrency: number): Promise<TopUp | undefined> {
    const from = this.#pool.seeded;
    if (from >= count) return undefined;
    this.#log(`creating consumer workspaces ${from} … ${count - 1}, ${concurrency} at a time`);
    const started = performance.now();
    await this.#inParallel(
      from,
      count,
      concurrency,
      async (i) => {
        const ws = await createWorkspace(this.kcp.client, {
          name: consumerName(i),
          labels: { [CONSUMER_LABEL]: String(i) },
          timeoutMs: 600_000,
        });
        await this.#retryWhileAuthorizationCatchesUp(`ConfigMap ${SEED_CONFIGMAP} in ${ws.path}`, () =>
          this.kcp
            .clientFor(ws.path)
            .create(ConfigMapResource, { metadata: { name: SEED_CONFIGMAP, namespace: 'default' }, data: {} })
            .then(
              () => undefined,
              (err: unknown) => {
                if (!isAlreadyExists(err)) throw err;
              },
            ),
        );
        this.#consumers[i] = ws;
      },
      (done) => {
        this.#pool.seeded = done;
      },
    );
    return this.#recordTopUp('workspaces', undefined, from, count, concurrency, started);
  }

  /**
   * Makes `bench-<n>` exist and be bound in consumers 0 … n-1 (which must exist), `concurrency` at a time.
   * Returns how fast the missing bindings were made, or undefined when none was missing.
   */
  async ensureExport(n: number, concurrency: number): Promise<TopUp | undefined> {
    const name = exportFor(n);
    await this.kcp.createApiExport({
      workspace: this.provider.path,
      name,
      schemas: [],
      permissionClaims: [
        { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { group: '', resource: 'events', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
      ],
    });
    const from = this.#pool.bound[name] ?? 0;
    if (from >= n) return undefined;
    this.#log(`binding ${name} in consumers ${from} … ${n - 1}, ${concurrency} at a time`);
    const started = performance.now();
    await this.#inParallel(
      from,
      n,
      concurrency,
      (i) => this.bind(this.consumers(i, i + 1)[0] as KcpWorkspace, n),
      (done) => {
        this.#pool.bound[name] = done;
      },
    );
    return this.#recordTopUp('bindings', name, from, n, concurrency, started);
  }

  /** Binds `bench-<n>` in a workspace and waits until the binding is Ready. */
  async bind(ws: KcpWorkspace, n: number): Promise<void> {
    const name = exportFor(n);
    await waitFor(
      () =>
        this.kcp
          .bindApiExport({
            workspace: ws.path,
            exportPath: this.provider.path,
            exportName: name,
            timeoutMs: 600_000,
          })
          .then(() => true),
      { what: `APIBinding ${name} in ${ws.path}`, timeoutMs: 600_000, retryOn: isAdmissionTimeout },
    );
  }

  /** Removes `bench-<n>`'s binding from a workspace (nothing to do if there is none) and waits until it is gone. */
  async unbind(ws: KcpWorkspace, n: number): Promise<void> {
    const name = exportFor(n);
    const client = this.kcp.clientFor(ws.path);
    try {
      await client.delete(APIBindingResource, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await waitFor(
      () =>
        client.get(APIBindingResource, name).then(
          () => false,
          (err: unknown) => {
            if (isNotFound(err)) return true;
            throw err;
          },
        ),
      { what: `APIBinding ${name} in ${ws.path} to be deleted`, timeoutMs: 120_000 },
    );
  }

  /** The URL of a workspace on this kcp (for kubeconfigs handed to the programs). */
  workspaceUrl(ws: KcpWorkspace): string {
    return clusterUrl(this.kcp.baseUrl, ws.path);
  }

  /**
   * Ctrl-C or SIGTERM mid-run: record progress, stop kcp (it would outlive this process otherwise, holding
   * the ports) and exit 130/143.
   */
  #stopOnSignals(): void {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        this.#log(`bench kcp: ${signal}, stopping kcp (progress is saved)`);
        void this.stop().finally(() => process.exit(code));
      });
    }
  }

  /** Stops kcp; its data stays for the next run (a temporary kcp's goes). */
  async stop(): Promise<void> {
    this.#save();
    await this.kcp.stop();
    releaseLock(this.dir);
  }

  /** Freshly created workspaces can refuse writes for a moment while kcp's authorization caches catch up. */
  #retryWhileAuthorizationCatchesUp(what: string, write: () => Promise<void>): Promise<boolean> {
    return waitFor(() => write().then(() => true), {
      what,
      timeoutMs: 300_000,
      retryOn: (err) => isForbidden(err) || isNotFound(err) || isAdmissionTimeout(err),
    });
  }

  /**
   * Runs `work` for indices from … to-1 with at most `concurrency` in flight, reporting (and saving) the
   * length of the finished prefix as it grows, so an interrupted top-up resumes where it stopped.
   */
  async #inParallel(
    from: number,
    to: number,
    concurrency: number,
    work: (i: number) => Promise<void>,
    prefixDone: (done: number) => void,
  ): Promise<void> {
    let next = from;
    let prefix = from;
    const finished = new Set<number>();
    let lastSave = performance.now();
    let lastReport = performance.now();
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < to) {
        const i = next++;
        await work(i);
        finished.add(i);
        while (finished.has(prefix)) finished.delete(prefix++);
        prefixDone(prefix);
        const now = performance.now();
        if (now - lastSave > 5_000) {
          this.#save();
          lastSave = now;
        }
        if (now - lastReport > 30_000) {
          const rate = (prefix - from) / ((now - started) / 1000);
          this.#log(
            `  ${prefix - from} of ${to - from} done, ${rate.toFixed(2)}/s, load ${loadavg()[0]?.toFixed(1)}`,
          );
          lastReport = now;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
    } finally {
      this.#save();
    }
  }

  #recordTopUp(
    what: TopUp['what'],
    exportName: string | undefined,
    from: number,
    to: number,
    concurrency: number,
    started: number,
  ): TopUp {
    const seconds = (performance.now() - started) / 1000;
    const topUp: TopUp = {
      what,
      ...(exportName ? { exportName } : {}),
      from,
      to,
      concurrency,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: Math.round(((to - from) / seconds) * 100) / 100,
      load: loadavg().map((l) => Math.round(l * 100) / 100),
      at: new Date().toISOString(),
    };
    this.#pool.topUps.push(topUp);
    this.#save();
    this.#log(
      `  ${to - from} ${what} in ${topUp.seconds} s (${topUp.perSecond}/s at ${concurrency} in flight, load ${topUp.load[0]})`,
    );
    return topUp;
  }

  #save(): void {
    writeFileSync(join(this.dir, 'pool.json'), `${JSON.stringify(this.#pool, null, 2)}\n`);
  }
}

const temporaryDirs = new Set<string>();
const heldLocks = new Set<string>();
process.once('exit', () => {
  for (const dir of heldLocks) rmSync(join(dir, 'lock'), { force: true });
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** Takes `dir`'s lock for this process; returns the pid of another live process that holds it instead. */
function lockHolder(dir: string): number | undefined {
  const path = join(dir, 'lock');
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      heldLocks.add(dir);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(readFileSync(path, 'utf8'));
    if (pid && pid !== process.pid && isProcessAlive(pid)) return pid;
    rmSync(path, { force: true });
  }
}

function releaseLock(dir: string): void {
  if (!heldLocks.delete(dir)) return;
  rmSync(join(dir, 'lock'), { force: true });
  if (temporaryDirs.delete(dir)) rmSync(dir, { recursive: true, force: true });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The pid of a running `kcp start --root-directory=<rootDir>`, if there is one. */
function kcpOnRootDirectory(rootDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('start') && args.includes(`--root-directory=${rootDir}`)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** A busy kcp's admission refusal (500 "resource quota evaluation timed out"): nothing was stored, try again. */
function isAdmissionTimeout(err: unknown): boolean {
  return err instanceof ApiError && err.code === 500 && /evaluation timed out/.test(err.status.message ?? '');
}
