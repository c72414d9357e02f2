import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const CLK_TCK = 100;

/**
 * A controller process under measurement, observed from outside: its "Reconciling ConfigMap" log lines
 * (cluster and time as this process reads them), /proc/<pid>/stat for CPU, /proc/<pid>/status for RSS,
 * its established TCP connections (/proc/<pid>/fd against /proc/net/tcp*), and its heap as it reports it:
 * a `{"heapReport":…}` line after SIGUSR2 (the kubeloom program) or Go's `GODEBUG=gctrace=1` lines.
 */
export class ProgramUnderTest {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  firstLineAt: number | undefined;
  /** Reconcile times per logical cluster, in order. */
  readonly #reconciles = new Map<string, number[]>();
  #reconcileCount = 0;
  #tail: string[] = [];
  #lastGcLiveMiB: number | undefined;
  #heapReports: Array<(heapUsedBytes: number) => void> = [];
  readonly #killOnExit = (): void => {
    this.child.kill('SIGKILL');
  };

  constructor(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    process.once('exit', this.#killOnExit);
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
    if (line.includes('Reconciling ConfigMap')) {
      const cluster = /"cluster":\s*"([^"]+)"/.exec(line)?.[1];
      if (cluster) {
        let times = this.#reconciles.get(cluster);
        if (!times) this.#reconciles.set(cluster, (times = []));
        times.push(at);
        this.#reconcileCount++;
      }
      return;
    }
    const gc = /^gc \d+ @.* (\d+)->(\d+)->(\d+) MB/.exec(line);
    if (gc) {
      this.#lastGcLiveMiB = Number(gc[3]);
      return;
    }
    if (line.startsWith('{"heapReport"')) {
      const used = (JSON.parse(line) as { heapReport: { heapUsed: number } }).heapReport.heapUsed;
      for (const resolve of this.#heapReports.splice(0)) resolve(used);
      return;
    }
    this.#tail.push(line);
    if (this.#tail.length > 30) this.#tail.shift();
  }

  /** The program's last non-reconcile output lines, for error messages. */
  get tail(): string {
    return this.#tail.join('\n');
  }

  /** Reconcile lines seen so far. */
  get reconcileCount(): number {
    return this.#reconcileCount;
  }

  /** How many of `clusters` have been reconciled at least once. */
  reconciledAmong(clusters: ReadonlySet<string>): number {
    let n = 0;
    for (const cluster of clusters) if (this.#reconciles.has(cluster)) n++;
    return n;
  }

  /** When the program first reconciled something in `cluster` at or after `after`, if it has. */
  reconciledAfter(cluster: string, after: number): number | undefined {
    return this.#reconciles.get(cluster)?.find((t) => t >= after);
  }

  /** User + system CPU seconds so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  }

  /**
   * CPU seconds so far to the nanosecond: the scheduler's run time of every thread
   * (`/proc/<pid>/task/<tid>/schedstat`), for telling a quiet second from one with a few ms of work, which
   * clock ticks (10 ms) cannot. Threads that have ended are not counted, so only differences over a short
   * interval mean something.
   */
  cpuSecondsFine(): number {
    let ns = 0;
    for (const task of readdirSync(`/proc/${this.child.pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${this.child.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e9;
  }

  /** Resident set size now. */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  }

  /**
   * The heap: for a program that answers SIGUSR2 with a heap report, its heap after GC; otherwise the
   * live heap after the last GC that Go's gctrace reported (whole MiB), or undefined if neither exists.
   */
  async heapMiB(answersSignal: boolean): Promise<number | undefined> {
    if (!answersSignal) return this.#lastGcLiveMiB;
    const reported = new Promise<number>((resolve) => this.#heapReports.push(resolve));
    this.child.kill('SIGUSR2');
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref());
    const bytes = await Promise.race([reported, timeout]);
    return bytes === undefined ? undefined : bytes / 2 ** 20;
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

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    process.removeListener('exit', this.#killOnExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
