/**
 * `kubeloom bind` through the real `kubeloom` command line: the CLI hands `bind` to @kubeloom/kube-bind.
 * (The full login-and-bind run of the command is in kube-bind-backend.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const bin = join(import.meta.dirname, '../../packages/cli/src/bin.ts');

function kubeloom(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kubeloom bind', () => {
  it('is a kubeloom command with its own help', () => {
    const help = kubeloom('bind', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}kubeloom bind <backend-url> \[<export>\]/);
    expect(kubeloom('--help').stdout).toContain(
      'kubeloom bind <backend-url> [<export>] | kubeloom bind konnector',
    );
  });

  it('exits 2 on wrong usage and 1, saying what to check, when the backend is not there', () => {
    expect(kubeloom('bind')).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'kubeloom bind: bind needs the backend URL, e.g. kubeloom bind https://bind.example.com\nRun kubeloom bind --help for usage.\n',
    });
    const down = kubeloom(
      'bind',
      'http://127.0.0.1:1',
      '--kubeconfig',
      inject('kube').kubeconfigPath,
      '--no-browser',
    );
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(
      /^kubeloom bind: cannot reach the kube-bind backend at http:\/\/127\.0\.0\.1:1 \(.+\); check the URL and that the backend is running\n$/,
    );
  });
});
