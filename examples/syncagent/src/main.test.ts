import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kcpWorkspaceOfServer } from './kcp-workspace-url.ts';
import { prepareSyncAgent } from './main.ts';
import { usage } from './options.ts';

function kubeconfig(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncagent-main-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 'secret-token-value' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return path;
}

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const prepared = prepareSyncAgent(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  const code = prepared.kind === 'exit' ? prepared.code : undefined;
  return { code, out: out.join('\n'), err: err.join('\n'), prepared };
}

describe('runSyncAgent', () => {
  it('validates flags and kubeconfigs, then hands the agent its configuration', () => {
    const kcp = kubeconfig('https://kcp.example:6443/clusters/root:providers:database');
    const service = kubeconfig('https://service.example:6443');
    const result = run([
      '--kcp-kubeconfig',
      kcp,
      '--kubeconfig',
      service,
      '--namespace',
      'default',
      '--apiexport-ref',
      'postgresql.cnpg.io',
    ]);
    expect(result.code).toBeUndefined();
    expect(result.out).toBe(
      `api-syncagent: agent "postgresql.cnpg.io-syncagent", kcp workspace root:providers:database, APIExport "postgresql.cnpg.io", service cluster from kubeconfig ${service}, context "ctx", namespace "default"`,
    );
    expect(result.err).toBe('');
    expect(result.prepared).toMatchObject({
      kind: 'run',
      config: {
        apiExportRef: 'postgresql.cnpg.io',
        namespace: 'default',
        agentName: 'postgresql.cnpg.io-syncagent',
      },
    });
    expect(result.out + result.err).not.toContain('secret-token-value');
  });

  it('rejects a kcp kubeconfig that does not point at a workspace', () => {
    const kcp = kubeconfig('https://kcp.example:6443');
    const result = run([
      '--kcp-kubeconfig',
      kcp,
      '--kubeconfig',
      kcp,
      '--namespace',
      'default',
      '--apiexportendpointslice-ref',
      'e',
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `api-syncagent: --kcp-kubeconfig: kubeconfig ${kcp}, context "ctx": server https://kcp.example:6443/ does not point at a kcp workspace; it must end in /clusters/<workspace> (e.g. https://kcp.example:6443/clusters/root:providers:database), the workspace that holds the APIExportEndpointSlice. Check the kubeconfig's current-context, or run "kubectl ws" with it.`,
    );
  });

  it('reports a missing kubeconfig file', () => {
    const result = run([
      '--kcp-kubeconfig',
      '/nonexistent/kcp.kubeconfig',
      '--namespace',
      'default',
      '--apiexportendpointslice-ref',
      'e',
    ]);
    expect(result).toMatchObject({
      code: 1,
      out: '',
      err: 'api-syncagent: kubeconfig /nonexistent/kcp.kubeconfig does not exist; pass the path of a kubeconfig file',
    });
  });

  it('prints usage with exit code 2 for a bad command line, and 0 for --help', () => {
    expect(run(['--bogus'])).toMatchObject({
      code: 2,
      out: '',
      err: `api-syncagent: unknown flag --bogus\n\n${usage()}`,
    });
    expect(run(['-help'])).toMatchObject({ code: 0, out: usage(), err: '' });
  });
});

describe('kcpWorkspaceOfServer', () => {
  it('extracts the workspace', () => {
    expect(kcpWorkspaceOfServer('https://k:6443/clusters/1yaxsslokc5aoqme/', 'x')).toBe('1yaxsslokc5aoqme');
    expect(() => kcpWorkspaceOfServer('not a url', 'src')).toThrow('src: server "not a url" is not a URL');
  });
});
