#!/usr/bin/env node
/**
 * `pnpm kcp:install` / `kubeloom-kcp-install`: makes sure a kcp binary is available (see ensureKcpBinary)
 * and prints its path on stdout; progress and timing go to stderr. With `--sharded` it also provides
 * kcp-front-proxy and cache-server (see ensureShardedKcpBinaries) and prints their paths too.
 */
import { KcpBinaryError, ensureKcpBinary, ensureShardedKcpBinaries } from './kcp-binary.ts';

try {
  const started = performance.now();
  const kcp = await ensureKcpBinary();
  process.stderr.write(`kcp: ${kcp.version} from ${kcp.source} in ${(kcp.durationMs / 1000).toFixed(2)} s\n`);
  process.stdout.write(`${kcp.path}\n`);
  if (process.argv.includes('--sharded')) {
    const sharded = await ensureShardedKcpBinaries();
    process.stderr.write(
      `sharded kcp binaries ready in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
    );
    process.stdout.write(`${sharded.frontProxy}\n${sharded.cacheServer}\n`);
  }
} catch (err) {
  process.stderr.write(`${err instanceof KcpBinaryError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
