import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** What a number depends on besides the code: recorded with every run, since this machine is shared. */
export interface MachineFacts {
  at: string;
  cpuModel: string;
  cores: number;
  memGiB: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  load: number[];
  /** `uptime` as printed (the same load averages, with the time and how long the machine has been up). */
  uptime: string;
  node: string;
  /** `go version` output, or why it could not be run. */
  go: string;
  commit: string;
}

/** A command's output, or why it could not be run (a missing `go` is a fact worth recording, not an error). */
function commandOutput(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (err) {
    return `unavailable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

/** The facts of this machine now. */
export function machineFacts(): MachineFacts {
  return {
    at: new Date().toISOString(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
    uptime: commandOutput('uptime', []),
    node: process.version,
    go: commandOutput('go', ['version']).replace(/^go version /, ''),
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
  };
}

/** Where each benchmark appends its JSON lines (one per measured row), kept in the repository. */
export const resultsDir = join(import.meta.dirname, 'results');

/** Appends a JSON line to `results/<file>` and prints it (unless `print` is false: for long lines). */
export function recordLine(file: string, line: Record<string, unknown>, print = true): void {
  const path = join(resultsDir, file);
  mkdirSync(dirname(path), { recursive: true });
  const text = JSON.stringify(line);
  appendFileSync(path, `${text}\n`);
  if (print) console.log(text);
}

/** A plain-text table with right-aligned columns after the first. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}
