import { mkdtemp, rm, unlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

const crd = resolve(
  import.meta.dirname,
  '../../../examples/syncagent/testdata/syncagent.kcp.io_publishedresources.yaml',
);

/** Runs the command line and returns its exit code and output lines. */
async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('kubeloom gen types', { timeout: 60_000 }, () => {
  let dir: string;
  let gen: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeloom-cli-'));
    gen = join(dir, 'gen');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the files, then leaves unchanged ones alone', async () => {
    expect(await run('gen', 'types', crd, '--out', gen)).toEqual({
      code: 0,
      out: [`kubeloom gen types: 1 file in ${gen}: 1 written, 0 unchanged`],
      err: [],
    });
    expect(await run('gen', 'types', crd, '-o', gen)).toEqual({
      code: 0,
      out: [`kubeloom gen types: 1 file in ${gen}: 0 written, 1 unchanged`],
      err: [],
    });
  });

  it('--check passes when the files are up to date and fails with a summary when not', async () => {
    expect(await run('gen', 'types', crd, '--out', gen, '--check')).toEqual({
      code: 0,
      out: [`kubeloom gen types --check: 1 file in ${gen} up to date`],
      err: [],
    });
    const path = join(gen, 'syncagent.kcp.io_v1alpha1.ts');
    const content = await readFile(path, 'utf8');
    await writeFile(
      path,
      content.replace('  spec: PublishedResourceSpec;', '  spec?: PublishedResourceSpec;'),
    );
    const line = content.split('\n').indexOf('  spec: PublishedResourceSpec;') + 1;
    expect(await run('gen', 'types', crd, '--out', gen, '--check')).toEqual({
      code: 1,
      out: [],
      err: [
        `kubeloom gen types --check: 1 of 1 file in ${gen} differs from what the sources generate:`,
        `  syncagent.kcp.io_v1alpha1.ts: line ${line} differs: on disk "spec?: PublishedResourceSpec;", generated "spec: PublishedResourceSpec;"`,
        'Run the same command without --check to regenerate them, and commit the result.',
      ],
    });
    await unlink(path);
    expect((await run('gen', 'types', crd, '--out', gen, '--check')).err[1]).toBe(
      '  syncagent.kcp.io_v1alpha1.ts: missing',
    );
  });

  it('reports a file it cannot read and exits 1', async () => {
    const missing = join(dir, 'nope.yaml');
    expect(await run('gen', 'types', missing, '--out', gen)).toEqual({
      code: 1,
      out: [],
      err: [`kubeloom gen types: loadManifests: ${missing} does not exist`],
    });
  });

  it('explains wrong usage and exits 2', async () => {
    const usage = 'Run kubeloom --help for usage.';
    expect(await run()).toEqual({ code: 2, out: [], err: ['kubeloom: no command given', usage] });
    expect(await run('gen', 'kinds')).toEqual({
      code: 2,
      out: [],
      err: ['kubeloom: unknown command "gen kinds"', usage],
    });
    expect((await run('gen', 'types', crd)).err[0]).toBe(
      'kubeloom: gen types: --out <dir> is required: the directory to write the generated files to',
    );
    expect((await run('gen', 'types', '--out', gen)).err[0]).toBe(
      'kubeloom: gen types: nothing to read: give CRD or APIResourceSchema files (or directories), or --group <api group> to read a live cluster',
    );
    expect((await run('gen', 'types', crd, '--group', 'example.io', '--out', gen)).err[0]).toBe(
      'kubeloom: gen types: give either CRD/APIResourceSchema files or --group (to read a live cluster), not both',
    );
    expect((await run('gen', 'types', '--context', 'kind-dev', '--out', gen)).err[0]).toBe(
      'kubeloom: gen types: --group <api group> is required to read a live cluster, e.g. --group postgresql.cnpg.io',
    );
    expect(await run('gen', 'types', crd, '--out', gen, '--bogus')).toEqual({
      code: 2,
      out: [],
      err: [
        "kubeloom: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"",
        usage,
      ],
    });
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out[0]?.split('\n')[0]).toBe('Usage:');
  });
});
