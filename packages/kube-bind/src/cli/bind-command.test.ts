import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindCommand } from './bind-command.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A kubeconfig file for a consumer cluster nobody needs to reach in these cases. */
function kubeconfigFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-bind-cli-'));
  dirs.push(dir);
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n',
  );
  return path;
}

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await bindCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('kubeloom bind', () => {
  it('explains wrong usage with exit code 2', async () => {
    expect(await run([])).toEqual({
      code: 2,
      out: [],
      err: [
        'kubeloom bind: bind needs the backend URL, e.g. kubeloom bind https://bind.example.com',
        'Run kubeloom bind --help for usage.',
      ],
    });
    expect((await run(['bind.example.com', '--kubeconfig', kubeconfigFile()])).err[0]).toBe(
      'kubeloom bind: "bind.example.com" is not a backend URL; give one such as https://bind.example.com',
    );
    expect((await run(['--help'])).out[0]).toMatch(/^Usage:\n {2}kubeloom bind <backend-url>/);
  });

  it('says when the backend cannot be reached, with exit code 1', async () => {
    const result = await run(['http://127.0.0.1:1', '--kubeconfig', kubeconfigFile(), '--no-browser']);
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(
      /^kubeloom bind: cannot reach the kube-bind backend at http:\/\/127\.0\.0\.1:1 \(.+\); check the URL and that the backend is running$/,
    );
  });
});
