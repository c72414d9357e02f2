#!/usr/bin/env node
/**
 * `pnpm kcp:install` / `kubeloom-kcp-install`: makes sure a kcp binary is available (see ensureKcpBinary)
 * and prints its path on stdout; progress and timing go to stderr.
 */
import { KcpBinaryError, ensureKcpBinary } from './kcp-binary.ts';

try {
  const kcp = await ensureKcpBinary();
  process.stderr.write(`kcp: ${kcp.version} from ${kcp.source} in ${(kcp.durationMs / 1000).toFixed(2)} s\n`);
  process.stdout.write(`${kcp.path}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof KcpBinaryError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
