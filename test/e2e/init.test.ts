/**
 * `kubeloom init demo-op && cd demo-op && npm install <packed tarballs> && npm test`, as a new user does it:
 * the scaffold installs from the locally packed packages (`./run pack`'s code) plus the npm registry,
 * compiles under its own strict tsconfig, and its own test reconciles a Widget on the run's kcp.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kubeloom-init-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('kubeloom init', () => {
  it('scaffolds a project that installs, builds and passes its own test against kcp', {
    timeout: 900_000,
  }, async () => {
    const packs = join(scratch, 'packs');
    await run(process.execPath, [join(repo, 'tools/pack/pack.ts'), packs], { timeout: 600_000 });
    const tarball = (name: string): string => {
      const file = readdirSync(packs).find((f) => f.startsWith(`kubeloom-${name}-`));
      if (!file) throw new Error(`no tarball for @kubeloom/${name} in ${packs}`);
      return join(packs, file);
    };

    const init = await run(
      process.execPath,
      [join(repo, 'packages/cli/dist/bundle/bin.js'), 'init', 'demo-op'],
      {
        cwd: scratch,
      },
    );
    expect(init.stdout.split('\n').slice(1)).toEqual([
      'Next:',
      '  cd demo-op',
      '  npm install',
      '  npm test     # runs the operator against a real kcp',
      '',
    ]);

    const project = join(scratch, 'demo-op');
    await run('npm', ['install', '--no-audit', '--no-fund', tarball('core'), tarball('kcp-provider')], {
      cwd: project,
      timeout: 600_000,
    });
    await run('npm', ['run', 'build'], { cwd: project, timeout: 300_000 });
    const test = await run('npm', ['test'], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', KUBELOOM_KCP_KUBECONFIG: inject('kcp').kubeconfigPath },
      timeout: 420_000,
    });
    expect(test.stdout).toContain('✓ test/operator.test.ts (1 test)');
    expect(test.stdout).toMatch(/Tests +1 passed \(1\)/);
  });
});
