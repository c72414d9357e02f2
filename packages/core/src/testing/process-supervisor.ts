import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The supervisor: a POSIX shell that runs the server in the background in its own process group and
 * reads its stdin, a pipe from the test process. End of input means the test process asked for a stop
 * or died (even by SIGKILL, which no exit handler sees): the server gets SIGTERM, and the whole group
 * SIGKILL after a grace period. When the server exits by itself, the supervisor ends the watch and
 * exits with the server's status.
 */
const SUPERVISOR_SCRIPT = [
  'grace=$1; shift',
  // Background jobs of a non-interactive shell read /dev/null, so the watch reads the pipe through fd 3.
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'server=$!',
  '{ cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; sleep "$grace"; kill -KILL 0; } &',
  'wait "$server"',
  'status=$?',
  "trap '' TERM",
  'kill -TERM 0 2>/dev/null',
  'exit "$status"',
].join('\n');

/** Process groups of the supervised servers still running in this process. */
const running = new Set<number>();
let exitHookInstalled = false;

/** On a normal exit of this process (one listener however many servers run), their groups go too. */
function killRunningGroups(): void {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ESRCH: gone already.
    }
  }
}

/** Options for {@link SupervisedProcess.start}. */
export interface SupervisedOptions {
  /** Environment of the server. It is passed as is (nothing of this process's environment is added). */
  env: NodeJS.ProcessEnv;
  /** File that receives the server's stdout and stderr. */
  logFile: string;
  /** Working directory. */
  cwd?: string;
  /** Seconds between SIGTERM and SIGKILL when stopping. Default 5. */
  graceSeconds?: number;
}

/**
 * A server process that cannot outlive its test process: it runs in a new process group under a small
 * shell supervisor that kills the group when its stdin pipe from this process closes, which the kernel
 * does when this process dies for any reason. {@link stop} closes that pipe and waits.
 */
export class SupervisedProcess {
  /** Process id of the supervisor, which is also the process group id of the server. */
  readonly pid: number;
  /** Resolves when the supervisor has exited, with how it exited (`code 0`, `signal SIGKILL`, ...). */
  readonly exited: Promise<string>;
  /** How it exited, once it has. */
  exitInfo: string | undefined;
  readonly #child: ChildProcess;
  readonly #graceSeconds: number;

  private constructor(child: ChildProcess, graceSeconds: number) {
    if (child.pid === undefined) throw new Error('unreachable: spawned without a pid');
    this.pid = child.pid;
    this.#child = child;
    this.#graceSeconds = graceSeconds;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        running.delete(this.pid);
        resolve(this.exitInfo);
      });
      child.once('error', (err) => {
        this.exitInfo = `could not be started: ${err.message}`;
        resolve(this.exitInfo);
      });
    });
    running.add(this.pid);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killRunningGroups);
    }
  }

  /** Starts `command args...` under a supervisor. */
  static start(command: string, args: readonly string[], options: SupervisedOptions): SupervisedProcess {
    const graceSeconds = options.graceSeconds ?? 5;
    const log = openSync(options.logFile, 'a');
    try {
      const child = spawn(
        '/bin/sh',
        ['-c', SUPERVISOR_SCRIPT, 'kubeloom-supervisor', String(graceSeconds), command, ...args],
        {
          detached: true,
          stdio: ['pipe', log, log],
          env: options.env,
          cwd: options.cwd,
        },
      );
      // The pipe must not keep this process's event loop alive, and a write error after the
      // supervisor died is expected.
      child.stdin?.on('error', () => {});
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      child.unref();
      return new SupervisedProcess(child, graceSeconds);
    } finally {
      closeSync(log);
    }
  }

  /** Whether the supervisor (and so the server) is still running. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Stops the server: SIGTERM, then SIGKILL for the whole group after the grace period. */
  async stop(): Promise<void> {
    if (this.running) {
      this.#child.stdin?.end();
      const timer = new AbortController();
      await Promise.race([
        this.exited,
        sleep((this.#graceSeconds + 5) * 1000, undefined, { signal: timer.signal }).catch(() => {}),
      ]);
      timer.abort();
    }
    // Whatever is left of the group (nothing, normally) goes now; wait until the kernel has removed it.
    this.#killGroup();
    await this.exited;
    for (let i = 0; i < 250 && processGroupExists(this.pid); i++) await sleep(20);
  }

  #killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}

/**
 * Whether any process of a process group still exists (an exited but unreaped one counts), e.g. to check
 * that a {@link SupervisedProcess} left nothing behind.
 */
export function processGroupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
