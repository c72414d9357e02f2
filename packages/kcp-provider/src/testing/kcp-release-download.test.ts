import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScratchDirectories, goArch, goOs } from '@kubeloom/core/testing';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KcpBinaryError, ensureKcpBinary } from './kcp-binary.ts';

// The kcp release download as GitHub serves it (a redirect to its storage host), and the answers a real
// release host cannot be made to give on demand, answered in-process by nock.

const RELEASES = 'https://github.example.test/kcp-dev/kcp/releases/download';
const STORAGE = 'https://objects.example.test';
const asset = `kcp_0.30.0_${goOs()}_${goArch()}.tar.gz`;

const scratch = new ScratchDirectories('kubeloom-kcp-release-');

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`the test set up answers nobody asked for: ${pending.join(', ')}`);
});
afterAll(() => {
  nock.enableNetConnect();
  scratch.removeAll();
});

/** A release tarball laid out like kcp's: `bin/kcp`, here a script that prints kcp's version line. */
function kcpTarball(): Buffer {
  const dir = scratch.make();
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'kcp'), '#!/bin/sh\necho "kcp version v1.34.2+kcp-v0.30.0"\n');
  chmodSync(join(dir, 'bin', 'kcp'), 0o755);
  execFileSync('tar', ['-czf', join(dir, asset), '-C', dir, 'bin']);
  return readFileSync(join(dir, asset));
}

/** ensureKcpBinary with nothing on PATH (no kcp, no Go), so only the download can provide kcp. */
function install(log: string[] = []) {
  return ensureKcpBinary({
    env: { PATH: '/nonexistent' },
    cacheDir: scratch.make(),
    releaseBaseUrl: RELEASES,
    log: (line) => log.push(line),
  });
}

describe('the kcp release download', () => {
  it('follows the release redirect, checks the sha256 from the checksums file and installs kcp', async () => {
    const tarball = kcpTarball();
    const sha256 = createHash('sha256').update(tarball).digest('hex');
    nock(RELEASES)
      .get(`/v0.30.0/${asset}`)
      .reply(302, '', { Location: `${STORAGE}/release-asset/1?token=t` })
      .get('/v0.30.0/kcp_0.30.0_checksums.txt')
      .reply(200, `${'0'.repeat(64)}  kcp_0.30.0_other_arch.tar.gz\n${sha256}  ${asset}\n`);
    nock(STORAGE).get('/release-asset/1').query({ token: 't' }).reply(200, tarball);
    const kcp = await install();
    expect([kcp.source, kcp.version]).toEqual(['download', 'kcp version v1.34.2+kcp-v0.30.0']);
  });

  it('refuses a release without a checksum for the tarball, and says what was tried', async () => {
    nock(RELEASES)
      .get(`/v0.30.0/${asset}`)
      .reply(200, kcpTarball())
      .get('/v0.30.0/kcp_0.30.0_checksums.txt')
      .reply(404, 'Not Found');
    const error = await install().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KcpBinaryError);
    expect((error as Error).message.split('\n').slice(0, 2)).toEqual([
      'no kcp binary is available, and none could be obtained for v0.30.0:',
      `  - download: the release has no checksum for ${asset}; refusing an unverified binary`,
    ]);
  });

  it('refuses a tarball whose sha256 differs from the checksums file', async () => {
    const tarball = kcpTarball();
    nock(RELEASES)
      .get(`/v0.30.0/${asset}`)
      .reply(200, tarball)
      .get('/v0.30.0/kcp_0.30.0_checksums.txt')
      .reply(200, `${'ab'.repeat(32)}  ${asset}\n`);
    const log: string[] = [];
    await expect(install(log)).rejects.toThrow(KcpBinaryError);
    const actual = createHash('sha256').update(tarball).digest('hex');
    expect(log).toContain(
      `kcp v0.30.0: download failed (checksum mismatch for ${asset}: expected sha256 ${'ab'.repeat(32)}, got ${actual}); building from source with Go instead`,
    );
  });

  it('names the release URL that answered with an error', async () => {
    nock(RELEASES).get(`/v0.30.0/${asset}`).reply(404, 'Not Found');
    const error = await install().catch((err: unknown) => err);
    expect((error as Error).message).toContain(
      `  - download: ${RELEASES}/v0.30.0/${asset} answered 404 Not Found`,
    );
  });
});
