import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Fetches a URL into memory. Fails with `cannot fetch <url>: <reason>` (including the network cause, e.g.
 * `connect ECONNREFUSED`) or `<url> answered <status>`, so a user behind a proxy sees which host was tried.
 */
export async function fetchBytes(url: string, signal: AbortSignal): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`cannot fetch ${url}: ${err instanceof Error ? err.message : String(err)}${cause}`, {
      cause: err,
    });
  }
  if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Refuses bytes whose digest differs from the published one: `checksum mismatch for <asset>: ...`. */
export function verifyChecksum(
  bytes: Buffer,
  algorithm: 'sha256' | 'sha512',
  expectedHex: string,
  asset: string,
): void {
  const actual = createHash(algorithm).update(bytes).digest('hex');
  if (actual !== expectedHex.toLowerCase()) {
    throw new Error(`checksum mismatch for ${asset}: expected ${algorithm} ${expectedHex}, got ${actual}`);
  }
}

/**
 * Unpacks a verified `.tar.gz` and moves the named members (paths inside the archive) to their targets.
 * Each target appears atomically (written next to it, then renamed), so a concurrent reader never sees a
 * half-written binary.
 */
export async function extractTarballMembers(
  tarball: Buffer,
  asset: string,
  members: Readonly<Record<string, string>>,
): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'kubeloom-release-'));
  try {
    const file = join(scratch, basename(asset));
    writeFileSync(file, tarball);
    await execFileAsync('tar', ['-xzf', file, '-C', scratch]);
    for (const [member, target] of Object.entries(members)) {
      const extracted = join(scratch, member);
      if (!existsSync(extracted)) throw new Error(`${asset} has no ${member}`);
      mkdirSync(dirname(target), { recursive: true });
      // Copy, not rename: the cache is often on another file system than the temp dir.
      copyFileSync(extracted, `${target}.tmp`);
      chmodSync(`${target}.tmp`, 0o755);
      renameSync(`${target}.tmp`, target);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
