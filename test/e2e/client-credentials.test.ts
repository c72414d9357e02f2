import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ConfigMapResource, ConnectionError, loadKubeConfig, waitFor } from '@kubeloom/core';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-e2e-credentials-'));

/** Server URL, CA (base64 PEM) and token of the shared kcp's admin kubeconfig. */
function adminCredentials(kubeconfigPath: string): {
  server: string;
  caData: string;
  token: string;
  tls: Record<string, string>;
} {
  const { kubeConfig } = loadKubeConfig({ path: kubeconfigPath, context: 'root' });
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster?.caData || !user?.token) {
    throw new Error(`${kubeconfigPath}: expected certificate-authority-data and a token for context root`);
  }
  return {
    server: new URL(cluster.server).origin,
    caData: cluster.caData,
    token: user.token,
    tls: cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {},
  };
}

function kubeconfig(server: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kcp', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'e2e', context: { cluster: 'kcp', user: 'u' } }],
    'current-context': 'e2e',
  });
}

describe('client credentials against real kcp', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('authenticates through an exec credential plugin that is told the cluster', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const workspace = await kcp.createWorkspace();
    const admin = adminCredentials(kcp.kubeconfigPath);
    const server = `${admin.server}/clusters/${workspace.path}`;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, admin.token, { mode: 0o600 });
    const plugin = join(dir, 'kcp-token.sh');
    // Answers only when KUBERNETES_EXEC_INFO carries the server URL, as provideClusterInfo promises.
    writeFileSync(
      plugin,
      [
        '#!/bin/sh',
        `case "$KUBERNETES_EXEC_INFO" in *'"server":"${server}"'*) ;; *) echo "no cluster info" >&2; exit 2;; esac`,
        `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat '${tokenFile}')"`,
      ].join('\n'),
    );
    chmodSync(plugin, 0o700);
    const client = Client.fromKubeConfig({
      text: kubeconfig(
        server,
        { 'certificate-authority-data': admin.caData, ...admin.tls },
        {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: plugin,
            interactiveMode: 'Never',
            provideClusterInfo: true,
          },
        },
      ),
    });
    onTestFinished(() => client.rest.pool.close());
    await client.create(ConfigMapResource, { metadata: { name: 'via-plugin', namespace: 'default' } });
    const read = await client.get(ConfigMapResource, 'via-plugin', { namespace: 'default' });
    expect(read.metadata?.name).toBe('via-plugin');
  });

  it('trusts a CA file rewritten on disk without recreating the client', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const admin = adminCredentials(kcp.kubeconfigPath);
    // First the file holds a CA that did not sign kcp's certificate, as before a CA bundle rotation.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'other-ca.key',
        '-out',
        'other-ca.crt',
        '-subj',
        '/CN=other-ca',
        '-days',
        '1',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, readFileSync(join(dir, 'other-ca.crt')));
    const client = Client.fromKubeConfig(
      {
        text: kubeconfig(
          `${admin.server}/clusters/root`,
          { 'certificate-authority': caFile, ...admin.tls },
          { token: admin.token },
        ),
      },
      { fileCheckIntervalMs: 0, retry: false },
    );
    onTestFinished(() => client.rest.pool.close());
    const untrusted = await client
      .list(ConfigMapResource, { namespace: 'default' })
      .catch((err: unknown) => err);
    expect(untrusted).toBeInstanceOf(ConnectionError);
    expect((untrusted as ConnectionError).reason).toBe('CertificateNotVerified');

    writeFileSync(caFile, Buffer.from(admin.caData, 'base64'));
    const listed = await waitFor(
      () => client.list(ConfigMapResource, { namespace: 'default' }).catch(() => undefined),
      { what: 'a list with the rotated CA file', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(listed.kind).toBe('ConfigMapList');
    expect(client.rest.pool.size).toBe(1);
  });
});
