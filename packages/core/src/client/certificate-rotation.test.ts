import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../util/wait-for.ts';
import { ConnectionError } from './errors.ts';
import { RestClient } from './rest-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-cert-rotation-'));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, plus a server certificate for 127.0.0.1 and a client certificate, all signed by it. */
function issueGeneration(name: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.crt`,
    '-subj',
    `/CN=${name}-ca`,
    '-days',
    '2',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [leaf, ext] of [
    ['server', ['-extfile', 'server.ext']],
    ['client', []],
  ] as const) {
    openssl(
      'req',
      ...ec,
      '-keyout',
      `${name}-${leaf}.key`,
      '-out',
      `${name}-${leaf}.csr`,
      '-subj',
      `/CN=${name}-${leaf}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}-${leaf}.csr`,
      '-CA',
      `${name}-ca.crt`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-out',
      `${name}-${leaf}.crt`,
      '-days',
      '2',
      ...ext,
    );
  }
}

const read = (file: string): Buffer => readFileSync(join(dir, file));

/** Points the kubeconfig's file paths at one generation's CA and client certificate (rewrites the files). */
function installClientFiles(generation: string): void {
  writeFileSync(join(dir, 'ca.crt'), read(`${generation}-ca.crt`));
  writeFileSync(join(dir, 'client.crt'), read(`${generation}-client.crt`));
  writeFileSync(join(dir, 'client.key'), read(`${generation}-client.key`));
}

describe('certificate rotation', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  /** Requests that hold their response open, as a watch does. */
  const held: Array<() => void> = [];

  beforeAll(async () => {
    issueGeneration('old');
    issueGeneration('new');
    installClientFiles('old');
    server = createServer(
      {
        key: read('old-server.key'),
        cert: read('old-server.crt'),
        ca: read('old-ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const cn = String((req.socket as TLSSocket).getPeerCertificate().subject?.CN);
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.url?.startsWith('/watch')) {
          res.write(`{"type":"BOOKMARK","cn":"${cn}"}\n`);
          held.push(() => res.end());
          return;
        }
        res.end(JSON.stringify({ cn }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const end of held) end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses a rotated CA bundle and client certificate from disk without recreating the client', async () => {
    const kubeconfig = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: url, 'certificate-authority': join(dir, 'ca.crt') } }],
      users: [
        {
          name: 'u',
          user: { 'client-certificate': join(dir, 'client.crt'), 'client-key': join(dir, 'client.key') },
        },
      ],
      contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'dev',
    });
    const client = RestClient.fromKubeConfig({ text: kubeconfig }, { fileCheckIntervalMs: 0, retry: false });
    try {
      expect(await client.request({ path: '/whoami' })).toEqual({ cn: 'old-client' });
      // A long-lived request (a watch) on the old material.
      const watch = await client.stream({ path: '/watch' });

      // The server moves to the new CA: it presents a new certificate and only accepts new client certificates.
      server.setSecureContext({
        key: read('new-server.key'),
        cert: read('new-server.crt'),
        ca: read('new-ca.crt'),
      });
      // Until the files are rotated, no request presents the new client certificate.
      const before = await client.request({ path: '/whoami' }).catch((err: unknown) => err);
      expect(before instanceof ConnectionError || JSON.stringify(before) === '{"cn":"old-client"}').toBe(
        true,
      );

      installClientFiles('new');
      const answer = await waitFor(
        () =>
          client.request({ path: '/whoami' }).then(
            (a) => a as { cn: string },
            () => undefined,
          ),
        { what: 'a request with the rotated certificates', timeoutMs: 30_000, intervalMs: 50 },
      );
      expect(answer).toEqual({ cn: 'new-client' });
      expect(client.pool.size).toBe(1);

      // The old agent is closed only once the watch on it has ended; the watch was not disturbed.
      // (Agents from a half-written rotation, with no requests on them, close at once.)
      await waitFor(() => client.pool.retiring === 1, { what: 'only the watch to keep an old agent open' });
      expect(watch.body.destroyed).toBe(false);
      for (const end of held.splice(0)) end();
      await waitFor(() => client.pool.retiring === 0, { what: 'the old agent to close', timeoutMs: 30_000 });
      // The watch reconnects with the new material.
      const again = await client.stream({ path: '/watch' });
      const first = await new Promise<string>((resolve) =>
        again.body.once('data', (c) => resolve(String(c))),
      );
      again.close();
      expect(first).toBe('{"type":"BOOKMARK","cn":"new-client"}\n');
    } finally {
      for (const end of held.splice(0)) end();
      await client.pool.close();
    }
  });
});
