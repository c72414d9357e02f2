import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchDirectories } from '../testing/scratch-directories.ts';
import { packageDirectoryOf } from './package-directory.ts';

const scratch = new ScratchDirectories('kubeloom-package-directory-');
afterAll(() => scratch.removeAll());

describe('packageDirectoryOf', () => {
  it('finds the package root from a source file, a bundle entry and a chunk one directory deeper', () => {
    const root = join(scratch.make(), 'pkg');
    for (const dir of ['src/testing', 'dist/bundle/chunks']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{}');
    for (const file of ['src/testing/kcp-binary.ts', 'dist/bundle/index.js', 'dist/bundle/chunks/x-abc.js']) {
      expect(packageDirectoryOf(pathToFileURL(join(root, file)).href)).toBe(root);
    }
  });

  it('stops at the nearest package.json, not the repository root', () => {
    const repo = scratch.make();
    writeFileSync(join(repo, 'package.json'), '{}');
    const pkg = join(repo, 'packages', 'core');
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{}');
    expect(packageDirectoryOf(pathToFileURL(join(pkg, 'dist', 'bundle', 'index.js')).href)).toBe(pkg);
  });

  it('says where it looked when no directory above holds a package.json', () => {
    const file = pathToFileURL('/nonexistent-kubeloom-dir/a/b.js').href;
    expect(() => packageDirectoryOf(file)).toThrow(
      'no package.json in /nonexistent-kubeloom-dir/a or any directory above it',
    );
  });
});
