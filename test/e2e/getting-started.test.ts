/**
 * Follows docs/getting-started.md literally: runs its `sh step` blocks in order (in a scratch directory,
 * keeping each block's final working directory for the next), writes its `ts file=<name>` blocks where the
 * steps are, and compares the program's output with the page's `text output` block. The one departure:
 * `npm install @kubeloom/core @kubeloom/kcp-provider` installs the tarballs `./run pack` builds, as the
 * page says to until the packages are on npm.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kubeloom-getting-started-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fenced block of the page: its language, the words after it, and its text. */
interface Block {
  lang: string;
  info: string[];
  text: string;
}

function blocksOf(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\S+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    info: (m[2] ?? '').trim().split(/\s+/).filter(Boolean),
    text: m[3] ?? '',
  }));
}

const packagesInstall = '@kubeloom/core @kubeloom/kcp-provider';

describe('docs/getting-started.md', () => {
  it('runs as written, from an empty directory to a reconciled workspace', { timeout: 900_000 }, async () => {
    const blocks = blocksOf(readFileSync(join(repo, 'docs/getting-started.md'), 'utf8'));
    const steps = blocks.filter((b) => b.info.includes('step') || b.info.some((i) => i.startsWith('file=')));
    expect(steps.map((b) => b.info.join(' '))).toEqual([
      'step',
      'step',
      'file=controller.ts',
      'file=kcp-setup.ts',
      'file=hello.ts',
      'step',
      'step',
    ]);
    // One install step names the packages that the test swaps for the packed tarballs.
    expect(steps.filter((b) => b.text.includes(packagesInstall))).toHaveLength(1);
    const expectedOutput = blocks.find((b) => b.info.includes('output'))?.text.trim() ?? '';

    const packs = join(scratch, 'packs');
    await run(process.execPath, [join(repo, 'tools/pack/pack.ts'), packs], { timeout: 600_000 });
    const tarball = (name: string): string => {
      const file = readdirSync(packs).find((f) => f.startsWith(`kubeloom-${name}-`));
      if (!file) throw new Error(`no tarball for @kubeloom/${name} in ${packs}`);
      return join(packs, file);
    };

    let cwd = scratch;
    let lastOutput = '';
    for (const block of steps) {
      const file = block.info.find((i) => i.startsWith('file='))?.slice('file='.length);
      if (file) {
        writeFileSync(join(cwd, file), block.text);
        continue;
      }
      const script = block.text.replace(packagesInstall, `${tarball('core')} ${tarball('kcp-provider')}`);
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', `${script}\npwd`], {
        cwd,
        env: { ...process.env, KUBELOOM_KCP_KUBECONFIG: inject('kcp').kubeconfigPath },
        timeout: 600_000,
      });
      const lines = stdout.trimEnd().split('\n');
      cwd = lines.pop() ?? cwd;
      lastOutput = lines.join('\n');
    }
    // The workspace name ends in a random suffix: the page shows one, the run has another.
    const pattern = new RegExp(
      `^${expectedOutput.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace('x7k2q', '[a-z0-9]+')}$`,
    );
    expect(lastOutput.split('\n').at(-1)).toMatch(pattern);
  });
});
