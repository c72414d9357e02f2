import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigMapResource } from './builtins.ts';
import { Client } from './client.ts';
import { watchFailure } from '../watch/watch-errors.ts';
import { ApiError, ConnectionError, KubeConfigError } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: Server[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** An EC key and a certificate for `sans` signed by `ca` (or self-signed), valid for `days` (negative: expired). */
function certificate(name: string, sans: string, options: { ca?: string; days?: number } = {}): void {
  const days = String(options.days ?? 30);
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (!options.ca) {
    const names = sans ? ['-addext', `subjectAltName=${sans}`] : [];
    openssl(
      'req',
      '-x509',
      ...curve,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      days,
      '-subj',
      `/CN=${name}`,
      ...names,
    );
    return;
  }
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${sans}\n`);
  openssl('req', ...curve, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${options.ca}.crt`,
    '-CAkey',
    `${options.ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    days,
    '-extfile',
    `${name}.ext`,
  );
}

function pem(name: string): Buffer {
  return readFileSync(join(dir, name));
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function tlsServer(name: string): Promise<number> {
  return listen(
    createHttpsServer({ key: pem(`${name}.key`), cert: pem(`${name}.crt`) }, (_, res) => res.end('{}')),
  );
}

/**
 * A kubeconfig file for `server` trusting `ca` (if given; `'insecure'` for plain-HTTP test servers, which
 * client-node refuses otherwise); returns its path.
 */
function kubeconfig(file: string, server: string, ca?: string): string {
  const path = join(dir, file);
  const cluster: Record<string, unknown> = { server };
  if (ca === 'insecure') cluster['insecure-skip-tls-verify'] = true;
  else if (ca) cluster['certificate-authority-data'] = pem(`${ca}.crt`).toString('base64');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user: { token: 'secret-token-for-tls-tests' } }],
      contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'dev',
    }),
  );
  return path;
}

async function failure(path: string): Promise<Error> {
  const err = await Client.fromKubeConfig({ path })
    .get(ConfigMapResource, 'a', { namespace: 'default' })
    .then(
      () => new Error('expected the request to fail'),
      (e: unknown) => e as Error,
    );
  expect(err.message).not.toContain('secret-token-for-tls-tests');
  return err;
}

const caFix = (path: string): string =>
  `put the CA certificate that signed the server's certificate into certificate-authority-data (base64 PEM) or certificate-authority (a file path) of the cluster in kubeconfig ${path}, context "dev"; only for a throwaway test cluster, insecure-skip-tls-verify: true turns verification off as a last resort`;

/** The message for an http:// URL at a TLS port. */
const expectsTls = (port: number, path: string): string =>
  `GET http://127.0.0.1:${port}/api/v1/namespaces/default/configmaps/a: the server expects TLS but the URL is http://, so the request was sent unencrypted; make the server URL of the cluster in kubeconfig ${path}, context "dev" start with https://`;

describe('connection failures say what happened', () => {
  let selfSigned: number;
  let wrongName: number;
  let expired: number;
  let signedByCa: number;
  let plainHttp: number;
  beforeAll(async () => {
    certificate('ca', '');
    certificate('self', 'DNS:localhost,IP:127.0.0.1');
    certificate('wrong-name', 'DNS:other.example,IP:10.9.8.7', { ca: 'ca' });
    certificate('expired', 'DNS:localhost,IP:127.0.0.1', { ca: 'ca', days: -1 });
    certificate('signed-by-ca', 'DNS:localhost,IP:127.0.0.1', { ca: 'ca' });
    selfSigned = await tlsServer('self');
    wrongName = await tlsServer('wrong-name');
    expired = await tlsServer('expired');
    signedByCa = await tlsServer('signed-by-ca');
    plainHttp = await listen(createHttpServer((_, res) => res.end('{}')));
  });
  afterAll(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a self-signed certificate', async () => {
    const path = kubeconfig('self.yaml', `https://127.0.0.1:${selfSigned}`);
    const err = await failure(path);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).reason).toBe('CertificateNotVerified');
    expect((err as ConnectionError).certificateProblem).toBe('SelfSigned');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${selfSigned}/api/v1/namespaces/default/configmaps/a: the server's certificate could not be verified: it is self-signed and not among the certificate authorities the client trusts; ${caFix(path)}`,
    );
  });

  it('a certificate from an unknown authority', async () => {
    // The right name, but the kubeconfig does not carry the CA that signed it.
    const path = kubeconfig('unknown-ca.yaml', `https://127.0.0.1:${signedByCa}`);
    const err = (await failure(path)) as ConnectionError;
    expect(err.certificateProblem).toBe('UnknownAuthority');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${signedByCa}/api/v1/namespaces/default/configmaps/a: the server's certificate could not be verified: it was issued by an unknown certificate authority (unable to get the local issuer certificate); ${caFix(path)}`,
    );
  });

  it('the fix works: with the CA in certificate-authority-data the same server answers', async () => {
    const path = kubeconfig('trusted-ca.yaml', `https://127.0.0.1:${signedByCa}`, 'ca');
    await expect(
      Client.fromKubeConfig({ path }).get(ConfigMapResource, 'a', { namespace: 'default' }),
    ).resolves.toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('a certificate for other names', async () => {
    const path = kubeconfig('wrong-name.yaml', `https://127.0.0.1:${wrongName}`, 'ca');
    const err = (await failure(path)) as ConnectionError;
    expect(err.certificateProblem).toBe('HostnameMismatch');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${wrongName}/api/v1/namespaces/default/configmaps/a: the server's certificate could not be verified: it is not valid for 127.0.0.1, only for DNS:other.example, IP Address:10.9.8.7; connect through one of the names it is valid for, set tls-server-name in the cluster in kubeconfig ${path}, context "dev" to one of them, or reissue the server's certificate for this name`,
    );
  });

  it('an expired certificate, with the date it expired', async () => {
    const path = kubeconfig('expired.yaml', `https://127.0.0.1:${expired}`, 'ca');
    const err = (await failure(path)) as ConnectionError;
    expect(err.certificateProblem).toBe('Expired');
    const notAfter = execFileSync('openssl', ['x509', '-in', 'expired.crt', '-noout', '-enddate'], {
      cwd: dir,
    })
      .toString()
      .trim()
      .replace('notAfter=', '');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${expired}/api/v1/namespaces/default/configmaps/a: the server's certificate could not be verified: it has expired (valid until ${new Date(notAfter).toISOString()}); renew the server's certificate, or correct this machine's clock if it is wrong`,
    );
  });

  it('an https:// URL at a plain-HTTP port', async () => {
    const path = kubeconfig('https-to-http.yaml', `https://127.0.0.1:${plainHttp}`);
    const err = (await failure(path)) as ConnectionError;
    expect(err.reason).toBe('PlainHttpOnHttpsUrl');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${plainHttp}/api/v1/namespaces/default/configmaps/a: the server answered with plain HTTP on an https:// URL; point the server URL of the cluster in kubeconfig ${path}, context "dev" at the port that serves TLS, or make it start with http:// if the server really serves plain HTTP`,
    );
  });

  it('an http:// URL at a TLS port', async () => {
    const path = kubeconfig('http-to-tls.yaml', `http://127.0.0.1:${selfSigned}`, 'insecure');
    const err = (await failure(path)) as ConnectionError;
    expect(err.reason).toBe('TlsOnHttpUrl');
    expect(err.message).toBe(expectsTls(selfSigned, path));
  });

  it("an http:// URL at a Go server's TLS port (400 Client sent an HTTP request to an HTTPS server)", async () => {
    const goLike = await listen(
      createHttpServer((_, res) => {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('Client sent an HTTP request to an HTTPS server.\n');
      }),
    );
    const path = kubeconfig('http-to-go-tls.yaml', `http://127.0.0.1:${goLike}`, 'insecure');
    const err = (await failure(path)) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.reason).toBe('TlsOnHttpUrl');
    expect(err.message).toBe(expectsTls(goLike, path));
  });

  it('a 401 on an http:// URL is blamed on the scheme, not only the credentials', async () => {
    const unauthorized = await listen(
      createHttpServer((_, res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 }));
      }),
    );
    const path = kubeconfig('http-401.yaml', `http://127.0.0.1:${unauthorized}`, 'insecure');
    const err = (await failure(path)) as ApiError;
    expect(err.code).toBe(401);
    expect(err.message).toBe(
      `GET http://127.0.0.1:${unauthorized}/api/v1/namespaces/default/configmaps/a: 401 Unauthorized: Unauthorized; the credentials from kubeconfig ${path}, context "dev" were rejected; the server URL is http://, so no client certificate could be presented and a token travels unencrypted: use the server's https:// URL`,
    );
  });

  it('a 403 at a URL without /clusters/ hints that kcp needs the workspace path', async () => {
    const forbidden = await listen(
      createHttpServer((_, res) => {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            status: 'Failure',
            reason: 'Forbidden',
            message: 'configmaps "a" is forbidden: access denied',
            code: 403,
          }),
        );
      }),
    );
    const base = `http://127.0.0.1:${forbidden}`;
    const err = (await failure(kubeconfig('kcp-base.yaml', base, 'insecure'))) as ApiError;
    expect(err.message).toBe(
      `GET ${base}/api/v1/namespaces/default/configmaps/a: 403 Forbidden: configmaps "a" is forbidden: access denied; if this server is kcp, its URL must name a workspace, e.g. ${base}/clusters/root`,
    );
    // With a workspace path the 403 is about permissions and gets no hint.
    const inWorkspace = (await failure(
      kubeconfig('kcp-ws.yaml', `${base}/clusters/root`, 'insecure'),
    )) as ApiError;
    expect(inWorkspace.message).toBe(
      `GET ${base}/clusters/root/api/v1/namespaces/default/configmaps/a: 403 Forbidden: configmaps "a" is forbidden: access denied`,
    );
  });

  it('an http:// server URL without insecure-skip-tls-verify is blamed on the scheme', async () => {
    const path = kubeconfig('plain-http.yaml', `http://127.0.0.1:${plainHttp}`);
    const err = (await failure(path)) as KubeConfigError;
    expect(err).toBeInstanceOf(KubeConfigError);
    expect(err.reason).toBe('PlainHttpServer');
    expect(err.message).toBe(
      `kubeconfig ${path}, context "dev": the server URL http://127.0.0.1:${plainHttp} is plain http://, and credentials are only sent over TLS; use the server's https:// URL (only for a throwaway test cluster that serves plain HTTP, insecure-skip-tls-verify: true allows it as a last resort)`,
    );
  });

  it('a refused connection is still "cannot reach the server"', async () => {
    const err = (await failure(
      kubeconfig('refused.yaml', 'http://127.0.0.1:1', 'insecure'),
    )) as ConnectionError;
    expect(err.reason).toBe('Unreachable');
    expect(err.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:1\/api\/v1\/namespaces\/default\/configmaps\/a: cannot reach the server: .*ECONNREFUSED/,
    );
  });
});

describe('HTTP/2 asked for, HTTP/1.1 offered', () => {
  it('talks HTTP/1.1 to a TLS server that does not offer HTTP/2, concurrent requests included', async () => {
    certificate('h1-ca', '');
    certificate('h1-only', 'DNS:localhost,IP:127.0.0.1', { ca: 'h1-ca' });
    const versions: string[] = [];
    const server = createHttpsServer({ key: pem('h1-only.key'), cert: pem('h1-only.crt') }, (req, res) => {
      versions.push(req.httpVersion);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ metadata: { name: 'a', namespace: 'default' } }));
    });
    onTestFinished(() => void server.close());
    const port = await listen(server);
    const client = Client.fromKubeConfig(
      { path: kubeconfig('h1.kubeconfig', `https://127.0.0.1:${port}`, 'h1-ca') },
      { http2: true },
    );
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.get(ConfigMapResource, 'a', { namespace: 'default' })),
    );
    await client.rest.pool.close();
    expect(answers.map((a) => a.metadata?.name)).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(versions).toEqual(['1.1', '1.1', '1.1', '1.1', '1.1']);
  });
});

describe('watch errors keep the explanation', () => {
  it('an informer reports an untrusted certificate with its fix, not the bare TLS code', () => {
    const url = 'https://10.0.0.5:6443/api/v1/configmaps';
    const untrusted = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const err = new ConnectionError('GET', `${url}?watch=1`, untrusted);
    expect(watchFailure(ConfigMapResource, url, 'watch', err).message).toBe(
      `watch of configmaps/v1 at ${url} failed: the server's certificate could not be verified: it is self-signed and not among the certificate authorities the client trusts; put the CA certificate that signed the server's certificate into certificate-authority-data (base64 PEM) or certificate-authority (a file path) of the kubeconfig's cluster; only for a throwaway test cluster, insecure-skip-tls-verify: true turns verification off as a last resort`,
    );
  });
});
