import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kubeloom-consumer-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('published packages', () => {
  it('pack, install with npm outside the workspace, type-check and run a controller', {
    timeout: 600_000,
  }, async () => {
    // 1. `./run pack`'s code: every public package (workspace:^ becomes a real version range).
    await run(process.execPath, [join(repo, 'tools/pack/pack.ts'), scratch], { timeout: 300_000 });
    const tarballs = ['core', 'kcp-provider', 'kind-provider'].map((name) => {
      const file = readdirSync(scratch).find((f) => f.startsWith(`kubeloom-${name}-`) && f.endsWith('.tgz'));
      expect(file, `@kubeloom/${name} tarball`).toBeDefined();
      return `./${file}`;
    });
    // Each tarball carries its README and publish metadata.
    const metadata = ['description', 'license', 'repository', 'keywords', 'engines', 'exports'];
    const contents = await Promise.all(
      tarballs.map(async (tarball) => {
        const { stdout: listing } = await run('tar', ['tzf', tarball], { cwd: scratch });
        const { stdout: manifest } = await run('tar', ['xzf', tarball, '-O', 'package/package.json'], {
          cwd: scratch,
        });
        const keys = Object.keys(JSON.parse(manifest));
        return {
          tarball,
          readme: listing.split('\n').includes('package/README.md'),
          missingMetadata: metadata.filter((key) => !keys.includes(key)),
        };
      }),
    );
    expect(contents).toEqual(tarballs.map((tarball) => ({ tarball, readme: true, missingMetadata: [] })));

    // 2. A fresh npm project that depends on the tarballs, as a user's would. The TypeScript examples of
    // the packages' READMEs are type-checked in it too (each block a module of its own).
    const readmeExamples = ['core', 'kcp-provider', 'kind-provider'].flatMap((name) =>
      [
        ...readFileSync(join(repo, 'packages', name, 'README.md'), 'utf8').matchAll(
          /^```ts\n([\s\S]*?)^```$/gm,
        ),
      ].map((match, i) => {
        const file = `readme-${name}-${i + 1}.ts`;
        writeFileSync(join(scratch, file), `${match[1] ?? ''}export {};\n`);
        return file;
      }),
    );
    expect(readmeExamples).toEqual([
      'readme-core-1.ts',
      'readme-kcp-provider-1.ts',
      'readme-kind-provider-1.ts',
    ]);
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
          allowImportingTsExtensions: true,
        },
        files: ['consumer.ts', ...readmeExamples],
      }),
    );
    copyFileSync(join(import.meta.dirname, 'packaging', 'consumer.ts'), join(scratch, 'consumer.ts'));
    // Peers as a user installs them. @types/ws: client-node's own typings import 'ws', and we type-check
    // every .d.ts (skipLibCheck false) so that our published declarations are checked too.
    const extras = [
      '@kubernetes/client-node@^2.0.1',
      'rxjs@^7.8.2',
      'typescript@7.0.2',
      '@types/node@^24',
      '@types/ws',
    ];
    await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs, ...extras], {
      cwd: scratch,
      timeout: 300_000,
    });

    // 3. Type-check against the published .d.ts files, then run.
    await run(join(scratch, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: scratch });
    const { stdout } = await run(process.execPath, ['consumer.ts'], {
      cwd: scratch,
      env: { ...process.env, KUBELOOM_KCP_KUBECONFIG: inject('kcp').kubeconfigPath },
      timeout: 300_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(result.workspaceIsPath).toBe(true);
    expect(result.cachedUid).toBe(result.createdUid);
    expect(result.cachedData).toEqual({ from: 'tarball' });
  });
});
