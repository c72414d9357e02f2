import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Credentials } from './credentials.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { ParsedKubeConfig } from './parsed-kube-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-parsed-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'ca.crt'), 'the CA');
writeFileSync(join(dir, 'token'), 'token-from-file');

/** A one-context kubeconfig (as JSON text) for `user` on `cluster`. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
    'current-context': 'x',
  });
}

/** What a request would send, resolved once through kubeloom's parser and once through client-node's. */
async function bothWays(file: string): Promise<[unknown, unknown]> {
  const parsed = new ParsedKubeConfig();
  parsed.loadFromFile(file);
  const full = new KubeConfig();
  full.loadFromFile(file);
  return [await whatIsSent(parsed), await whatIsSent(full)];
}

async function whatIsSent(kc: ParsedKubeConfig | KubeConfig): Promise<unknown> {
  const { headers, tls } = await new Credentials(kc, 'test').resolve();
  return {
    headers,
    tls,
    cluster: kc.getCurrentCluster(),
    user: kc.getCurrentUser(),
    context: kc.getCurrentContext(),
  };
}

/** The entries `ParsedKubeConfig` reads from kubeconfig text. */
function entriesOf(text: string): unknown {
  const config = new ParsedKubeConfig();
  config.loadFromString(text);
  return {
    clusters: config.clusters,
    users: config.users,
    contexts: config.contexts,
    current: config.currentContext,
  };
}

describe('ParsedKubeConfig reads kubeconfigs as client-node does', () => {
  it.each([
    ['a token', {}, { token: 'abc' }],
    [
      'a token file in an auth provider (as in-cluster)',
      {},
      { 'auth-provider': { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } },
    ],
    ['basic auth', {}, { username: 'me', password: 'secret' }],
    ['a token and basic auth (the token wins)', {}, { token: 'abc', username: 'me', password: 'secret' }],
    [
      'certificate data and impersonation',
      { 'certificate-authority-data': Buffer.from('ca').toString('base64') },
      {
        'client-certificate-data': Buffer.from('cert').toString('base64'),
        'client-key-data': Buffer.from('key').toString('base64'),
        as: 'someone',
      },
    ],
    [
      'a relative CA file, skipped verification and a TLS server name',
      { 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kcp.local' },
      { token: 'abc' },
    ],
  ])('%s', async (_what, cluster, user) => {
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig(cluster, user));
    const [ours, theirs] = await bothWays(file);
    expect(ours).toEqual(theirs);
  });

  it("refuses plain HTTP without insecure-skip-tls-verify with client-node's words", async () => {
    const parsed = new ParsedKubeConfig();
    parsed.loadFromString(kubeconfig({ server: 'http://127.0.0.1:8080' }, { token: 'abc' }));
    await expect(new Credentials(parsed, 'test').resolve()).rejects.toThrow(
      'test: could not obtain credentials: HTTP protocol is not allowed when skipTLSVerify is not set or false',
    );
  });

  it('fails to parse broken YAML with the same message as client-node', () => {
    const text = 'clusters: [ this is not yaml';
    const full = new KubeConfig();
    expect(() => full.loadFromString(text)).toThrow(
      'unexpected end of the stream within a flow collection (1:29)',
    );
    expect(() => loadKubeConfig({ text })).toThrow(
      'kubeconfig (given as text) cannot be read: unexpected end of the stream within a flow collection (1:29)',
    );
  });

  it('says so when the text is not a kubeconfig mapping at all', () => {
    expect(() => loadKubeConfig({ text: 'just words' })).toThrow(
      'kubeconfig (given as text) cannot be read: it is empty or not a YAML/JSON mapping',
    );
  });

  describe('$KUBECONFIG with several files', () => {
    const saved = process.env.KUBECONFIG;
    afterEach(() => {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    });

    it("merges them, the later file's current-context winning, as client-node does", () => {
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      writeFileSync(a, kubeconfig({}, { token: 'a' }));
      writeFileSync(
        b,
        JSON.stringify({
          clusters: [{ name: 'c2', cluster: { server: 'https://127.0.0.2:6443' } }],
          users: [{ name: 'u2', user: { token: 'b' } }],
          contexts: [{ name: 'y', context: { cluster: 'c2', user: 'u2' } }],
          'current-context': 'y',
        }),
      );
      process.env.KUBECONFIG = `${a}:${b}`;
      const parsed = new ParsedKubeConfig();
      parsed.loadFromDefault();
      const full = new KubeConfig();
      full.loadFromDefault();
      expect(parsed.getContexts()).toEqual(full.getContexts());
      expect(parsed.getClusters()).toEqual(full.getClusters());
      expect(parsed.getCurrentContext()).toBe('y');
      expect(parsed.getCurrentCluster()?.server).toBe('https://127.0.0.2:6443');
    });

    it("refuses a name defined twice, with client-node's words", () => {
      const a = join(dir, 'a');
      writeFileSync(a, kubeconfig({}, { token: 'a' }));
      process.env.KUBECONFIG = `${a}:${a}`;
      expect(() => loadKubeConfig()).toThrow(
        `kubeconfig from $KUBECONFIG (${a}:${a}) cannot be read: Duplicate cluster: c`,
      );
    });
  });

  it('reads the same entries from a JSON kubeconfig as from its YAML form, and YAML flow style that only looks like JSON', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: c',
      '  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}',
      'users:',
      '- name: u',
      '  user: {token: abc}',
      'contexts:',
      '- name: x',
      '  context: {cluster: c, user: u, namespace: ns}',
      'current-context: x',
    ].join('\n');
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'u', user: { token: 'abc' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
      'current-context': 'x',
    });
    // YAML flow style: starts like JSON, is not JSON (unquoted keys), and must still be read.
    const flow = `{clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}], users: [{name: u, user: {token: abc}}], contexts: [{name: x, context: {cluster: c, user: u, namespace: ns}}], current-context: x}`;
    expect(entriesOf(json)).toEqual(entriesOf(yaml));
    expect(entriesOf(flow)).toEqual(entriesOf(yaml));
    expect(entriesOf(yaml)).toMatchObject({ current: 'x', users: [{ name: 'u', token: 'abc' }] });
  });
});
