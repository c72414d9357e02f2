import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BinaryInstallError, installBinary } from './binary-installer.ts';
import { extractTarballMembers, fetchBytes, verifyChecksum } from './release-download.ts';
import { ScratchDirectories } from './scratch-directories.ts';

// HTTP-level failures of release downloads that a real release host cannot be made to produce on demand:
// nock answers Node's fetch in-process. A response that never comes is tested against a real socket
// instead: nock 15 does not end a fetch whose answer it holds back when the fetch's signal aborts.

const RELEASES = 'https://releases.example.test';
const OBJECTS = 'https://objects.example.test';

const scratch = new ScratchDirectories('kubeloom-release-download-');

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

/** A release tarball holding `tool/bin/widget`, a stand-in binary that prints a version line. */
function releaseTarball(): Buffer {
  const dir = scratch.make();
  mkdirSync(join(dir, 'tool', 'bin'), { recursive: true });
  const binary = join(dir, 'tool', 'bin', 'widget');
  writeFileSync(binary, '#!/bin/sh\necho "widget v1.2.3"\n');
  chmodSync(binary, 0o755);
  execFileSync('tar', ['-czf', join(dir, 'widget.tar.gz'), '-C', dir, 'tool']);
  return readFileSync(join(dir, 'widget.tar.gz'));
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Installs `widget` from `${RELEASES}/widget.tar.gz`, verified against `expected`, with no Go to fall back to. */
function installWidget(expected: string, log: string[] = []) {
  return installBinary(
    {
      name: 'widget',
      version: 'v1.2.3',
      envVar: 'WIDGET_BIN',
      cacheSubdir: 'widget/v1.2.3',
      download: async (target, { signal }) => {
        const tarball = await fetchBytes(`${RELEASES}/widget.tar.gz`, signal);
        verifyChecksum(tarball, 'sha256', expected, 'widget.tar.gz');
        await extractTarballMembers(tarball, 'widget.tar.gz', { 'tool/bin/widget': target });
      },
      goBuild: {
        moduleDir: scratch.make(),
        packagePath: 'example.test/widget/cmd/widget',
        pins: 'example.test/widget v1.2.3',
        ldflags: [],
        expectedDuration: 'a moment',
      },
      remedies: ['set WIDGET_BIN'],
    },
    { env: { PATH: '/nonexistent' }, cacheDir: scratch.make(), log: (line) => log.push(line) },
  );
}

describe('fetchBytes', () => {
  it('names the URL and the status of an error answer', async () => {
    nock(RELEASES).get('/v1/missing.tar.gz').reply(404, 'Not Found');
    await expect(fetchBytes(`${RELEASES}/v1/missing.tar.gz`, AbortSignal.timeout(10_000))).rejects.toThrow(
      `${RELEASES}/v1/missing.tar.gz answered 404 Not Found`,
    );
  });

  it('follows a redirect to another host, as release pages redirect to their storage', async () => {
    nock(RELEASES)
      .get('/v1/widget.tar.gz')
      .reply(302, '', { Location: `${OBJECTS}/blob/123?sig=abc` });
    nock(OBJECTS).get('/blob/123').query({ sig: 'abc' }).reply(200, 'the bytes');
    const bytes = await fetchBytes(`${RELEASES}/v1/widget.tar.gz`, AbortSignal.timeout(10_000));
    expect(bytes.toString()).toBe('the bytes');
  });

  it('names the URL and the network cause when no answer comes', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 203.0.113.5:443'), {
      code: 'ECONNREFUSED',
    });
    nock(RELEASES).get('/v1/widget.tar.gz').replyWithError(refused);
    await expect(fetchBytes(`${RELEASES}/v1/widget.tar.gz`, AbortSignal.timeout(10_000))).rejects.toThrow(
      `cannot fetch ${RELEASES}/v1/widget.tar.gz: fetch failed: connect ECONNREFUSED 203.0.113.5:443`,
    );
  });

  it('gives up when the download timeout passes before an answer, naming the URL', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/widget.tar.gz`;
      await expect(fetchBytes(url, AbortSignal.timeout(300))).rejects.toThrow(
        `cannot fetch ${url}: The operation was aborted due to timeout`,
      );
    } finally {
      nock.disableNetConnect();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('gives up on a redirect loop, naming the URL', async () => {
    nock(RELEASES)
      .get('/v1/loop')
      .times(21)
      .reply(302, '', { Location: `${RELEASES}/v1/loop` });
    await expect(fetchBytes(`${RELEASES}/v1/loop`, AbortSignal.timeout(10_000))).rejects.toThrow(
      `cannot fetch ${RELEASES}/v1/loop: fetch failed: redirect count exceeded`,
    );
  });
});

describe('a release download through installBinary', () => {
  it('installs a verified download into the cache', async () => {
    const tarball = releaseTarball();
    nock(RELEASES).get('/widget.tar.gz').reply(200, tarball);
    const installed = await installWidget(sha256(tarball));
    expect([installed.source, installed.version]).toEqual(['download', 'widget v1.2.3']);
  });

  it('refuses a body cut off mid-way, as its checksum shows, and says what was tried', async () => {
    const tarball = releaseTarball();
    const half = tarball.subarray(0, tarball.length >> 1);
    // The connection drops after half the body: fetch reports no error, only the checksum can tell.
    nock(RELEASES)
      .get('/widget.tar.gz')
      .reply(200, () => {
        let sent = false;
        return new Readable({
          read() {
            if (sent) {
              this.destroy(new Error('connection reset by peer'));
            } else {
              sent = true;
              this.push(half);
            }
          },
        });
      });
    const log: string[] = [];
    const error = await installWidget(sha256(tarball), log).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BinaryInstallError);
    const checksum = `checksum mismatch for widget.tar.gz: expected sha256 ${sha256(tarball)}, got ${sha256(half)}`;
    expect((error as Error).message.split('\n').slice(0, 2)).toEqual([
      'no widget binary is available, and none could be obtained for v1.2.3:',
      `  - download: ${checksum}`,
    ]);
    expect(log).toContain(
      `widget v1.2.3: download failed (${checksum}); building from source with Go instead`,
    );
  });
});
