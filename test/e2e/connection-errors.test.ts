import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, Client, ConnectionError, NamespaceResource } from '@kubeloom/core';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-e2e-connection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected the request to fail'),
    (e: unknown) => e as Error,
  );
}

/** A kubeconfig for kcp's admin token and `server`, without the CA that signed kcp's serving certificate. */
function kubeconfigWithoutCa(token: string, server: string): string {
  const path = join(dir, 'no-ca.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kcp', cluster: { server } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'no-ca', context: { cluster: 'kcp', user: 'admin' } }],
    'current-context': 'no-ca',
  };
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

describe('connection errors against a real kcp say what happened', () => {
  it("without kcp's CA: the certificate could not be verified, and how to fix it", async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const token = kcp.client.rest.credentials.kubeConfig.getCurrentUser()?.token ?? '';
    const path = kubeconfigWithoutCa(token, `${kcp.baseUrl}/clusters/root`);
    const err = (await failure(
      Client.fromKubeConfig({ path }).get(NamespaceResource, 'default'),
    )) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.reason).toBe('CertificateNotVerified');
    expect(err.certificateProblem).toBe('SelfSigned');
    expect(err.message).not.toContain(token);
    expect(err.message).toBe(
      `GET ${kcp.baseUrl}/clusters/root/api/v1/namespaces/default: the server's certificate could not be verified: it is self-signed and not among the certificate authorities the client trusts; put the CA certificate that signed the server's certificate into certificate-authority-data (base64 PEM) or certificate-authority (a file path) of the cluster in kubeconfig ${path}, context "no-ca"; only for a throwaway test cluster, insecure-skip-tls-verify: true turns verification off as a last resort`,
    );
  });

  it("a host name kcp's certificate is not valid for: which names it is valid for", async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    // kcp's serving certificate names its bind address (127.0.0.1), not "localhost".
    const byName = kcp.client.withServer(`${kcp.baseUrl.replace('127.0.0.1', 'localhost')}/clusters/root`);
    const err = (await failure(byName.get(NamespaceResource, 'default'))) as ConnectionError;
    expect(err.certificateProblem).toBe('HostnameMismatch');
    expect(err.diagnosis.certificateNames).toContain('IP Address:127.0.0.1');
    expect(err.message).toBe(
      `GET ${byName.rest.server}/api/v1/namespaces/default: the server's certificate could not be verified: it is not valid for localhost, only for ${err.diagnosis.certificateNames}; connect through one of the names it is valid for, set tls-server-name in the cluster in ${kcp.client.rest.credentials.description} to one of them, or reissue the server's certificate for this name`,
    );
  });

  it('an http:// URL at kcp\'s TLS port: "the server expects TLS"', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const http = kcp.client.withServer(`${kcp.baseUrl.replace(/^https:/, 'http:')}/clusters/root`);
    const err = (await failure(http.get(NamespaceResource, 'default'))) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.reason).toBe('TlsOnHttpUrl');
    expect(err.message).toBe(
      `GET ${http.rest.server}/api/v1/namespaces/default: the server expects TLS but the URL is http://, so the request was sent unencrypted; make the server URL of the cluster in ${kcp.client.rest.credentials.description} start with https://`,
    );
  });

  it('a 403 at the base URL hints that kcp needs the workspace path', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const base = kcp.client.withServer(kcp.baseUrl);
    const err = (await failure(base.get(NamespaceResource, 'default'))) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(403);
    const user = /User "([^"]+)"/.exec(err.message)?.[1];
    expect(err.message).toBe(
      `GET ${kcp.baseUrl}/api/v1/namespaces/default: 403 Forbidden: namespaces "default" is forbidden: User "${user}" cannot get resource "namespaces" in API group "" in the namespace "default": access denied; if this server is kcp, its URL must name a workspace, e.g. ${kcp.baseUrl}/clusters/root`,
    );
    // The same identity at the workspace URL is allowed.
    expect((await kcp.client.get(NamespaceResource, 'default')).metadata?.name).toBe('default');
  });
});
