import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KcpBinaryError, ensureKcpBinary } from './kcp-binary.ts';

const scratchDirs: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-kcp-binary-'));
  scratchDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in kcp that prints a version, like the real one. */
function fakeKcp(dir: string): string {
  const path = join(dir, 'kcp');
  writeFileSync(path, '#!/bin/sh\necho "kcp version v1.34.2+kcp-v0.30.0"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('ensureKcpBinary', () => {
  it('with no Go and no network, names both ways to provide kcp in one error', async () => {
    const error = await ensureKcpBinary({
      env: { PATH: '/nonexistent' },
      cacheDir: scratch(),
      releaseBaseUrl: 'http://127.0.0.1:1/releases',
      downloadTimeoutMs: 5_000,
      log: () => {},
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KcpBinaryError);
    const message = (error as Error).message;
    expect(message).toContain('download: cannot fetch http://127.0.0.1:1/releases/v0.30.0/kcp_0.30.0_');
    expect(message).toContain('go build: Go is not installed (no `go` on PATH)');
    expect(message).toContain('set KCP_BIN to the path of a kcp binary');
    expect(message).toContain('install Go >= 1.26');
  });

  it('prefers KCP_BIN, then PATH, then the cache', async () => {
    const dir = scratch();
    const explicit = fakeKcp(dir);
    const onPathDir = join(dir, 'bin');
    mkdirSync(onPathDir);
    fakeKcp(onPathDir);
    const cacheDir = scratch();
    mkdirSync(join(cacheDir, 'kcp', 'v0.30.0'), { recursive: true });
    fakeKcp(join(cacheDir, 'kcp', 'v0.30.0'));

    const fromEnv = await ensureKcpBinary({ env: { KCP_BIN: explicit, PATH: onPathDir }, cacheDir });
    expect([fromEnv.source, fromEnv.path, fromEnv.version]).toEqual([
      'KCP_BIN',
      explicit,
      'kcp version v1.34.2+kcp-v0.30.0',
    ]);
    expect((await ensureKcpBinary({ env: { PATH: onPathDir }, cacheDir })).source).toBe('PATH');
    const cached = await ensureKcpBinary({ env: { PATH: '/nonexistent' }, cacheDir });
    expect(cached.source).toBe('cache');
    expect(cached.durationMs).toBeLessThan(1_000);
  });

  it('rejects a KCP_BIN that is not executable, saying what to do', async () => {
    await expect(
      ensureKcpBinary({ env: { KCP_BIN: '/nonexistent/kcp' }, cacheDir: scratch() }),
    ).rejects.toThrow(
      'KCP_BIN=/nonexistent/kcp is not an executable file; point it at a kcp binary or unset it',
    );
  });
});
