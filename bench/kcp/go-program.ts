import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The version of github.com/kcp-dev/multicluster-provider whose apiexport example is compared (see tools/mcp-bench/go.mod). */
export const MCP_VERSION = 'v0.5.1';

/**
 * The Go apiexport example, built once from the Go module proxy through the wrapper module in
 * tools/mcp-bench (at low priority: the machine is shared) and cached under ~/.cache/kubeloom/.
 * Throws go's own error output when it cannot be built.
 */
export async function ensureGoProgram(log: (msg: string) => void): Promise<string> {
  const dir = join(homedir(), '.cache', 'kubeloom', 'mcp-apiexport', MCP_VERSION);
  const binary = join(dir, 'mcp-apiexport');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`building kcp's multicluster-provider ${MCP_VERSION} apiexport example (Go, a few minutes)`);
  const module = join(import.meta.dirname, '..', '..', 'tools', 'mcp-bench');
  const go = spawnSync(
    'nice',
    [
      '-n',
      '10',
      'go',
      'build',
      '-trimpath',
      '-o',
      binary,
      'github.com/kcp-dev/multicluster-provider/examples/apiexport',
    ],
    { cwd: module, env: { ...process.env, GOWORK: 'off', CGO_ENABLED: '0' }, encoding: 'utf8' },
  );
  if (go.error)
    throw new Error(`cannot run go to build the Go program: ${go.error.message}; install Go ≥ 1.24`);
  if (go.status !== 0) {
    throw new Error(`go build of the Go apiexport example failed (in ${module}):\n${go.stderr.trim()}`);
  }
  return binary;
}
