import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from './process-alive.ts';

/**
 * Runs `install` while holding a lock next to `target` (a `<target>.lock` directory with the holder's pid),
 * so that two processes needing the same binary (say `./run kube:install` and an e2e run) build it once:
 * the second waits, saying so every 30 s, and then finds the first one's result in the cache. A lock left
 * by a process that died is taken over.
 */
export async function withInstallLock<T>(
  target: string,
  label: string,
  log: (line: string) => void,
  install: () => Promise<T>,
): Promise<T> {
  const lockDir = `${target}.lock`;
  const started = performance.now();
  let lastReport = 0;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(lockDir);
    if (holder === undefined || !isProcessAlive(holder)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    const waited = performance.now() - started;
    if (lastReport === 0 || waited - lastReport >= 30_000) {
      lastReport = Math.max(waited, 1);
      log(
        `${label}: process ${holder} is installing it already; waiting (${Math.round(waited / 1000)} s so far)`,
      );
    }
    await sleep(1_000);
  }
  try {
    return await install();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockHolder(lockDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // The holder created the directory but has not written its pid yet (or died right then): wait a moment.
    const ageMs = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return ageMs < 10_000 ? process.pid : undefined;
  }
}
