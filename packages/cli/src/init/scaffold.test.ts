import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../main.ts';
import { scaffoldDependencyVersions } from './scaffold.ts';

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const files = [
  '.gitignore',
  'README.md',
  'package.json',
  'src/api.ts',
  'src/controller.ts',
  'src/main.ts',
  'src/operator.ts',
  'test/operator.test.ts',
  'tsconfig.json',
  'vitest.config.ts',
];

describe('kubeloom init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeloom-init-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the project, named after its directory, and says what to do next', async () => {
    const target = join(dir, 'demo-op');
    expect(await run('init', target)).toEqual({
      code: 0,
      out: [
        `kubeloom init: created ${target} (package demo-op, API group demo-op.example.com): ${files.join(', ')}`,
        'Next:',
        `  cd ${target}`,
        '  npm install',
        '  npm test     # runs the operator against a real kcp',
      ],
      err: [],
    });
    const manifest = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
    const ownVersion = JSON.parse(
      await readFile(resolve(import.meta.dirname, '../../package.json'), 'utf8'),
    ).version;
    expect(manifest).toMatchObject({
      name: 'demo-op',
      type: 'module',
      scripts: { build: 'tsc -p .', test: 'vitest run', start: 'node src/main.ts' },
      dependencies: {
        '@kubeloom/core': `^${ownVersion}`,
        '@kubeloom/kcp-provider': `^${ownVersion}`,
      },
    });
    const api = await readFile(join(target, 'src/api.ts'), 'utf8');
    expect(api).toContain("export const API_GROUP = 'demo-op.example.com';");
    const placeholdersLeft = await Promise.all(
      files.map(async (file) => (await readFile(join(target, file), 'utf8')).match(/__[A-Z_]+__/g)),
    );
    expect(placeholdersLeft).toEqual(files.map(() => null));
  });

  it('takes a scoped name and a group', async () => {
    const target = join(dir, 'scoped');
    const result = await run('init', target, '--name', '@acme/shop_op', '--group', 'shop.acme.io');
    expect(result.out[0]).toBe(
      `kubeloom init: created ${target} (package @acme/shop_op, API group shop.acme.io): ${files.join(', ')}`,
    );
    expect(await run('init', join(dir, 'x'), '--name', '@acme/shop_op')).toMatchObject({ code: 0 });
    expect(await readFile(join(dir, 'x/src/api.ts'), 'utf8')).toContain("'shop-op.example.com'");
  });

  it('refuses a directory that is not empty, and malformed names', async () => {
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'keep.txt'), 'mine');
    expect(await run('init', full)).toEqual({
      code: 1,
      out: [],
      err: [`kubeloom init: ${full} is not empty (1 entries); give a new or empty directory`],
    });
    expect((await run('init', join(dir, 'Bad Name'))).err).toEqual([
      `kubeloom init: "Bad Name" is not a valid npm package name (lower case letters, digits, '-', '.', '_', optionally @scope/); give one with --name`,
    ]);
    expect((await run('init', join(dir, 'g'), '--group', 'nodots')).err).toEqual([
      'kubeloom init: API group "nodots" must be a lower-case DNS name with at least one dot, e.g. widgets.example.com; give one with --group',
    ]);
    expect(await run('init')).toEqual({
      code: 2,
      out: [],
      err: [
        'kubeloom: init: give one directory to create the project in, e.g. kubeloom init my-operator',
        'Run kubeloom --help for usage.',
      ],
    });
  });

  it('asks for the versions kubeloom itself is built and tested with', async () => {
    const workspace = parse(
      await readFile(resolve(import.meta.dirname, '../../../../pnpm-workspace.yaml'), 'utf8'),
    ) as { catalog: Record<string, string> };
    const names = Object.keys(scaffoldDependencyVersions);
    expect(scaffoldDependencyVersions).toEqual(
      Object.fromEntries(names.map((name) => [name, workspace.catalog[name]])),
    );
  });
});
