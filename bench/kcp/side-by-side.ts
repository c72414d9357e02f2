/**
 * Side-by-side benchmark on one kcp: kcp's Go multicluster-provider `examples/apiexport` (v0.5.1) against
 * the same program on kubeloom (bench/kcp/kubeloom-configmap.ts). See bench/README.md for the command.
 *
 * Both watch the same APIExport (claiming ConfigMaps and Events) bound in N workspaces, each holding one
 * ConfigMap. Each program runs alone, in turn, and is measured from outside: its reconcile log lines (as
 * this process reads them), /proc/<pid>/stat for CPU, /proc/<pid>/status for RSS, and its established
 * TCP connections to kcp's port (/proc/<pid>/fd against /proc/net/tcp*).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigMapResource, waitFor } from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { MCP_VERSION, ensureGoProgram } from './go-program.ts';

const { values } = parseArgs({
  options: {
    workspaces: { type: 'string', default: '20' },
    idle: { type: 'string', default: '60' },
    binds: { type: 'string', default: '10' },
    writes: { type: 'string', default: '20' },
    only: { type: 'string' },
    http1: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const N = Number(values.workspaces);
const IDLE_S = Number(values.idle);
const BINDS = Number(values.binds);
const WRITES = Number(values.writes);
const EXPORT = 'bench.kubeloom.dev';
const CLK_TCK = 100;
const here = import.meta.dirname;
/**
 * The kubeloom program as compiled JavaScript (`tsc -b bench`), as it would be deployed: run as .ts, Node
 * would load its TypeScript stripper too (~17 MiB and ~0.1 CPU-s that a deployment does not pay).
 */
const kubeloomProgram = here.includes(join('bench', 'dist'))
  ? join(here, 'kubeloom-configmap.js')
  : join(here, '..', 'dist', 'kcp', 'kubeloom-configmap.js');

const log = (msg: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** A running program under measurement: its reconcile lines as they arrive. */
class Program {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  readonly reconciles: Array<{ cluster: string; name: string; at: number }> = [];
  firstLineAt: number | undefined;
  #tail: string[] = [];

  constructor(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const at = performance.now();
        this.firstLineAt ??= at;
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.#line(line, at);
      });
    }
  }

  #line(line: string, at: number): void {
    this.#tail.push(line);
    if (this.#tail.length > 30) this.#tail.shift();
    if (!line.includes('Reconciling ConfigMap')) return;
    const cluster = /"cluster":\s*"([^"]+)"/.exec(line)?.[1];
    const name = /"name":\s*"([^"]+)"/.exec(line)?.[1];
    if (cluster && name) this.reconciles.push({ cluster, name, at });
  }

  get tail(): string {
    return this.#tail.join('\n');
  }

  /** User + system CPU seconds so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  }

  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  }

  /** Established TCP connections from this process to `port`. */
  connectionsTo(port: number): number {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${this.child.pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${this.child.pid}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
    let count = 0;
    for (const table of ['tcp', 'tcp6']) {
      for (const row of readFileSync(`/proc/${this.child.pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
        const f = row.trim().split(/\s+/);
        if (f.length < 10) continue;
        const remotePort = Number.parseInt(f[2]?.split(':')[1] ?? '', 16);
        if (f[3] === '01' && remotePort === port && inodes.has(f[9] ?? '')) count++;
      }
    }
    return count;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = samples.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Figures {
  startToAllReconciledS: number;
  startToFirstLineS: number;
  cpuToAllReconciledS: number;
  rssAfterSyncMiB: number;
  idleCpuS: number;
  idleSeconds: number;
  bindToReconcileMs: { p50: number; p99: number; samples: number[] };
  writeToReconcileMs: { p50: number; p99: number; samples: number[] };
  connectionsToKcp: number;
}

async function measure(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  kcp: KcpTestEnvironment,
  provider: KcpWorkspace,
  bound: KcpWorkspace[],
  unbound: KcpWorkspace[],
): Promise<Figures> {
  const port = Number(new URL(kcp.baseUrl).port);
  log(`${name}: starting`);
  const program = new Program(cmd, args, env);
  const seen = (cluster: string, cmName: string, after = 0): boolean =>
    program.reconciles.some((r) => r.cluster === cluster && r.name === cmName && r.at >= after);
  try {
    await waitFor(() => bound.every((w) => seen(w.clusterName, 'bench-seed')), {
      what: `${name} to reconcile every workspace`,
      timeoutMs: 300_000,
      intervalMs: 20,
      describe: () => `its last lines:\n${program.tail}`,
    });
    const allAt = performance.now();
    const cpuToAll = program.cpuSeconds();
    await new Promise((r) => setTimeout(r, 2000));
    const rss = program.rssMiB();
    const connections = program.connectionsTo(port);
    log(`${name}: all ${bound.length} reconciled after ${((allAt - program.startedAt) / 1000).toFixed(2)} s`);

    const idleFrom = program.cpuSeconds();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idleCpu = program.cpuSeconds() - idleFrom;

    const writes: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const ws = bound[i % bound.length] as KcpWorkspace;
      const at = performance.now();
      await kcp
        .clientFor(ws.path)
        .patch(
          ConfigMapResource,
          'bench-seed',
          { data: { write: `${name}-${i}` } },
          { namespace: 'default' },
        );
      await waitFor(() => seen(ws.clusterName, 'bench-seed', at), {
        what: `${name} to reconcile a write in ${ws.path}`,
        timeoutMs: 60_000,
        intervalMs: 20,
        describe: () => program.tail,
      });
      writes.push((program.reconciles.findLast((r) => r.cluster === ws.clusterName)?.at ?? at) - at);
    }

    const binds: number[] = [];
    for (const ws of unbound) {
      const at = performance.now();
      await kcp.bindApiExport({ workspace: ws.path, exportPath: provider.path, exportName: EXPORT });
      await waitFor(() => seen(ws.clusterName, 'bench-seed', at), {
        what: `${name} to reconcile newly bound ${ws.path}`,
        timeoutMs: 120_000,
        intervalMs: 20,
        describe: () => program.tail,
      });
      binds.push((program.reconciles.find((r) => r.cluster === ws.clusterName)?.at ?? at) - at);
    }
    return {
      startToAllReconciledS: (allAt - program.startedAt) / 1000,
      startToFirstLineS: ((program.firstLineAt ?? allAt) - program.startedAt) / 1000,
      cpuToAllReconciledS: cpuToAll,
      rssAfterSyncMiB: rss,
      idleCpuS: idleCpu,
      idleSeconds: IDLE_S,
      bindToReconcileMs: { p50: percentile(binds, 50), p99: percentile(binds, 99), samples: binds },
      writeToReconcileMs: { p50: percentile(writes, 50), p99: percentile(writes, 99), samples: writes },
      connectionsToKcp: connections,
    };
  } finally {
    await program.stop();
  }
}

/** Workspaces with one ConfigMap each; bound to the export when `bind` is true. */
async function consumers(
  kcp: KcpTestEnvironment,
  provider: KcpWorkspace,
  count: number,
  bind: boolean,
): Promise<KcpWorkspace[]> {
  const out: KcpWorkspace[] = [];
  // A few at a time: kcp on a 2-core machine slows down with many workspace creations at once.
  for (let i = 0; i < count; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(5, count - i) }, async () => {
        const ws = await kcp.createWorkspace({ generateName: 'bench-consumer-', timeoutMs: 300_000 });
        await kcp.clientFor(ws.path).create(ConfigMapResource, {
          metadata: { name: 'bench-seed', namespace: 'default' },
          data: {},
        });
        if (bind)
          await kcp.bindApiExport({ workspace: ws.path, exportPath: provider.path, exportName: EXPORT });
        return ws;
      }),
    );
    out.push(...batch);
  }
  return out;
}

const goBinary = values.only === 'kubeloom' ? undefined : await ensureGoProgram(log);
log('kcp: starting (or attaching to $KUBELOOM_KCP_KUBECONFIG)');
const kcp = await KcpTestEnvironment.fromEnvironment();
const results: Record<string, Figures> = {};
try {
  const provider = await kcp.createWorkspace({ generateName: 'bench-provider-' });
  await kcp.createApiExport({
    workspace: provider.path,
    name: EXPORT,
    schemas: [],
    permissionClaims: [
      { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { group: '', resource: 'events', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    ],
  });
  log(`creating ${N} bound workspaces`);
  const bound = await consumers(kcp, provider, N, true);
  await kcp.endpointUrls(provider.path, EXPORT);

  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-bench-'));
  const kc = new KubeConfig();
  kc.loadFromFile(kcp.kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${kcp.kubeconfigPath} has no current cluster`);
  kc.clusters = kc.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `${kcp.baseUrl}/clusters/${provider.path}` } : c,
  );
  const kubeconfig = join(dir, 'provider.kubeconfig');
  writeFileSync(kubeconfig, kc.exportConfig(), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
  delete env.KUBELOOM_KCP_KUBECONFIG;

  const programs: Array<[string, string, string[], NodeJS.ProcessEnv]> = [];
  if (goBinary) programs.push(['go', goBinary, ['--endpointslice', EXPORT], env]);
  if (values.only !== 'go') {
    if (!existsSync(kubeloomProgram))
      throw new Error(`${kubeloomProgram} is missing; run tsc -b bench first`);
    const args = [kubeloomProgram, '--endpointslice', EXPORT];
    if (values.http1)
      programs.push(['kubeloom-http1', process.execPath, args, { ...env, KUBELOOM_HTTP2: '0' }]);
    const http2Default = { ...env };
    delete http2Default.KUBELOOM_HTTP2;
    programs.push(['kubeloom', process.execPath, args, http2Default]);
  }
  for (const [name, cmd, args, programEnv] of programs) {
    log(`creating ${BINDS} unbound workspaces for ${name}'s bind test`);
    const unbound = await consumers(kcp, provider, BINDS, false);
    results[name] = await measure(name, cmd, args, programEnv, kcp, provider, bound, unbound);
    log(`${name}: ${JSON.stringify(results[name])}`);
  }
} finally {
  await kcp.stop();
}

const row = (label: string, pick: (f: Figures) => number, digits = 2): string => {
  const go = results.go ? pick(results.go) : Number.NaN;
  const kl = results.kubeloom ? pick(results.kubeloom) : Number.NaN;
  const h1 = results['kubeloom-http1'] ? pick(results['kubeloom-http1']) : Number.NaN;
  const h1Cells = values.http1 ? ` ${h1.toFixed(digits)} | ${(h1 / go).toFixed(1)} |` : '';
  return `| ${label} | ${go.toFixed(digits)} | ${kl.toFixed(digits)} | ${(kl / go).toFixed(1)} |${h1Cells}`;
};
const table = [
  `${N} bound workspaces, ${IDLE_S} s idle window, ${WRITES} writes, ${BINDS} binds; Node ${process.version}`,
  '',
  `| figure | Go mcp ${MCP_VERSION} | kubeloom (HTTP/2) | kubeloom/Go |${values.http1 ? ' kubeloom (HTTP/1.1) | HTTP/1.1 / Go |' : ''}`,
  `| --- | --- | --- | --- |${values.http1 ? ' --- | --- |' : ''}`,
  row('process start → first output line (s)', (f) => f.startToFirstLineS),
  row('process start → all reconciled (s)', (f) => f.startToAllReconciledS),
  row('CPU to get there (s)', (f) => f.cpuToAllReconciledS),
  row('RSS after sync (MiB)', (f) => f.rssAfterSyncMiB, 0),
  row(`CPU over ${IDLE_S} s idle (s)`, (f) => f.idleCpuS, 3),
  row('bind → first reconcile p50 (ms)', (f) => f.bindToReconcileMs.p50, 0),
  row('bind → first reconcile p99 (ms)', (f) => f.bindToReconcileMs.p99, 0),
  row('write → reconcile p50 (ms)', (f) => f.writeToReconcileMs.p50, 0),
  row('write → reconcile p99 (ms)', (f) => f.writeToReconcileMs.p99, 0),
  row('TCP connections to kcp', (f) => f.connectionsToKcp, 0),
].join('\n');
console.log(table);
if (values.out) writeFileSync(values.out, JSON.stringify({ results, table }, null, 2));
