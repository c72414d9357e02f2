/**
 * The packages' public entry points run from bundles (`tools/bundle/bundle.ts`, part of `./run build`):
 * a few files per package instead of one module per source file. These tests import the built packages
 * the way a user's program does, through their `exports`, in fresh Node processes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kubeloom-bundles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs an ES module body in a Node process whose imports resolve from `test/`, which depends on every package. */
async function runModule(body: string): Promise<string> {
  const file = join(repo, 'test', `.bundles-test-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, body);
  try {
    const { stdout } = await run(process.execPath, ['--no-warnings', file], { cwd: repo, timeout: 60_000 });
    return stdout;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('bundled entry points', () => {
  it('load core and the kcp provider from a handful of files, not one module per source file', async () => {
    const out = await runModule(`
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      await import('@kubeloom/core');
      await import('@kubeloom/kcp-provider');
      process.stdout.write(JSON.stringify(loaded.filter((u) => u.includes('/packages/'))));
    `);
    const ours = JSON.parse(out) as string[];
    // Per-file, this was 166 modules; bundled, an entry file and the shared chunks it needs.
    expect(ours.length).toBeLessThanOrEqual(12);
    expect(ours.filter((u) => !u.includes('/dist/bundle/'))).toEqual([]);
  });

  it('share one copy of code between entry points of a package (one class identity)', async () => {
    const out = await runModule(`
      import * as core from '@kubeloom/core';
      import * as batchV1 from '@kubeloom/core/builtins/batch_v1';
      import * as testing from '@kubeloom/core/testing';
      import * as kcp from '@kubeloom/kcp-provider';
      import * as kcpTesting from '@kubeloom/kcp-provider/testing';
      process.stdout.write(JSON.stringify({
        builtins: batchV1.CronJobResource.kind === 'CronJob' && typeof core.Client === 'function',
        testingLogger: new testing.RecordingLogger() instanceof core.LineLogger,
        kcpExports: typeof kcp.APIExportProvider === 'function' && typeof kcpTesting.KcpTestEnvironment === 'function',
      }));
    `);
    expect(JSON.parse(out)).toEqual({ builtins: true, testingLogger: true, kcpExports: true });
  });

  it('find the files a package ships beside its code from inside a bundle', async () => {
    const out = await runModule(`
      import { existsSync } from 'node:fs';
      import { kubeBindCrdFiles } from '@kubeloom/kube-bind';
      const files = [...kubeBindCrdFiles('consumer'), ...kubeBindCrdFiles('provider')];
      process.stdout.write(JSON.stringify({ count: files.length, allExist: files.every((f) => existsSync(f)) }));
    `);
    expect(JSON.parse(out)).toMatchObject({ allExist: true });
    expect((JSON.parse(out) as { count: number }).count).toBeGreaterThan(1);
  });

  it('refuse a package.json whose exports do not pair a declaration with a bundle, saying what to write', async () => {
    const pkg = join(scratch, 'bad-package');
    mkdirSync(join(pkg, 'src'), { recursive: true });
    writeFileSync(join(pkg, 'src', 'index.ts'), 'export const x = 1;\n');
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@example/bad',
        type: 'module',
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      }),
    );
    const failed = await run(process.execPath, [join(repo, 'tools/bundle/bundle.ts'), pkg], {
      cwd: repo,
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('@example/bad');
    expect(failed?.stderr).toContain(
      'exports["."]: expected { "types": "./dist/<name>.d.ts", "default": "./dist/bundle/<name>.js" }',
    );
  });

  it('bundle a well-formed package into dist/bundle with a source map back to its sources', async () => {
    const pkg = join(scratch, 'good-package');
    mkdirSync(join(pkg, 'src'), { recursive: true });
    writeFileSync(
      join(pkg, 'src', 'index.ts'),
      "import { twice } from './twice.ts';\nexport const four: number = twice(2);\n",
    );
    writeFileSync(
      join(pkg, 'src', 'twice.ts'),
      '/** Doubles. */\nexport const twice = (n: number): number => n * 2;\n',
    );
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@example/good',
        type: 'module',
        exports: { '.': { types: './dist/index.d.ts', default: './dist/bundle/index.js' } },
      }),
    );
    await run(process.execPath, [join(repo, 'tools/bundle/bundle.ts'), pkg], { cwd: repo });
    const bundled = readFileSync(join(pkg, 'dist', 'bundle', 'index.js'), 'utf8');
    expect(bundled).not.toContain('Doubles.'); // TSDoc is for the declarations
    const map = JSON.parse(readFileSync(join(pkg, 'dist', 'bundle', 'index.js.map'), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources.toSorted()).toEqual(['../../src/index.ts', '../../src/twice.ts']);
    const { four } = (await import(join(pkg, 'dist', 'bundle', 'index.js'))) as { four: number };
    expect(four).toBe(4);
  });
});
