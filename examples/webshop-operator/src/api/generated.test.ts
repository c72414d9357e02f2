import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '../..');
const cli = join(packageDir, '../../packages/cli/dist/bundle/bin.js');

describe('generated CloudNativePG types', () => {
  it('are what `kubeloom gen types` makes of the CRDs today', async () => {
    // The same command as `pnpm gen:types`, with --check: it writes nothing and fails on any difference.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        cli,
        'gen',
        'types',
        '../syncagent/testdata/postgresql.cnpg.io_clusters.yaml',
        '../syncagent/testdata/postgresql.cnpg.io_databases.yaml',
        '--out',
        'src/api/generated',
        '--check',
      ],
      { cwd: packageDir },
    );
    expect(stdout.trim()).toBe('kubeloom gen types --check: 1 file in src/api/generated up to date');
  }, 60_000); // a CLI process reading two large CRDs, on a loaded machine
});
