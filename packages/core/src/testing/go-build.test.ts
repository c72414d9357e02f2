import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goBuild } from './go-build.ts';
import { ScratchDirectories } from './scratch-directories.ts';

const scratch = new ScratchDirectories('kubeloom-go-build-');
afterAll(() => scratch.removeAll());

/** A `go` that takes a while, fails with `failWith` if given, or writes the `-o` file. */
function fakeGo(seconds: number, failWith?: string): string {
  const dir = scratch.make();
  writeFileSync(
    join(dir, 'go'),
    [
      '#!/bin/sh',
      `sleep ${seconds}`,
      failWith ? `echo "${failWith}" >&2; exit 1` : '',
      'while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done',
      'echo built > "$out"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'go'), 0o755);
  return `${dir}:/usr/bin:/bin`;
}

function module(pins: string): string {
  const dir = scratch.make();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module m\nrequire ${pins}\n`);
  return dir;
}

const spec = (moduleDir: string) => ({
  moduleDir,
  packagePath: 'example.com/cmd/tool',
  pins: 'example.com v1.0.0',
  ldflags: ['-s', '-w'],
  expectedDuration: 'a moment',
});

describe('goBuild', () => {
  it('says what it builds, that it is still building, and when it is done', async () => {
    const lines: string[] = [];
    const target = join(scratch.make(), 'tool');
    await goBuild(spec(module('example.com v1.0.0')), target, {
      env: { PATH: fakeGo(1) },
      label: 'tool v1.0.0',
      log: (line) => lines.push(line.replace(/\d+ s/, 'N s')),
      progressIntervalMs: 300,
    });
    expect(lines[0]).toBe(
      "tool v1.0.0: go build -mod=readonly -trimpath … example.com/cmd/tool (a first build takes a moment; later ones reuse Go's build cache)",
    );
    expect(lines).toContain('tool v1.0.0: still building (N s elapsed)');
    expect(lines.at(-1)).toBe(`tool v1.0.0: built ${target} in N s`);
  });

  it("fails with Go's last lines, and refuses a module that pins another version", async () => {
    const options = {
      env: { PATH: fakeGo(0, 'dial tcp: lookup proxy.golang.org: i/o timeout') },
      label: 'x',
      log: () => {},
    };
    await expect(
      goBuild(spec(module('example.com v1.0.0')), join(scratch.make(), 'tool'), options),
    ).rejects.toThrow('go build exited with 1:\n      dial tcp: lookup proxy.golang.org: i/o timeout');
    const stale = module('example.com v0.9.0');
    await expect(goBuild(spec(stale), join(scratch.make(), 'tool'), options)).rejects.toThrow(
      `${join(stale, 'go.mod')} does not pin example.com v1.0.0`,
    );
  });

  it('builds further packages in the same invocation and puts them next to the target', async () => {
    const dir = scratch.make();
    // Writes one file per package into the `-o` directory, as `go build -o dir/ pkg...` does.
    writeFileSync(
      join(dir, 'go'),
      [
        '#!/bin/sh',
        'echo "$@" > "$(dirname "$0")/args"',
        'while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift;; example.com/*) pkgs="$pkgs $1";; esac; shift; done',
        'mkdir -p "$out"; for p in $pkgs; do echo built > "$out$(basename "$p")"; done',
      ].join('\n'),
    );
    chmodSync(join(dir, 'go'), 0o755);
    const lines: string[] = [];
    const targetDir = scratch.make();
    await goBuild(
      {
        ...spec(module('example.com v1.0.0')),
        alsoBuild: ['example.com/cmd/helper', 'example.com/cmd/other'],
      },
      join(targetDir, 'tool'),
      { env: { PATH: `${dir}:/usr/bin:/bin` }, label: 'tool v1.0.0', log: (line) => lines.push(line) },
    );
    expect(readFileSync(join(dir, 'args'), 'utf8')).toMatch(
      / -o \S+\/bin\/ example\.com\/cmd\/tool example\.com\/cmd\/helper example\.com\/cmd\/other\n$/,
    );
    expect(readdirSync(targetDir).toSorted()).toEqual(['helper', 'other', 'tool']);
    expect(lines.at(-1)).toMatch(/: built \S+\/tool \(and helper, other beside it\) in \d+ s$/);
  });
});
