import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import {
  Client,
  type ConfigMap,
  ConfigMapResource,
  NamespaceResource,
  RestClient,
  SharedInformer,
  waitFor,
} from '@kubeloom/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { sharedKube } from './kube.ts';
import { storeVersions } from './store-convergence.ts';
import { TcpGate } from './tcp-gate.ts';

/** Established TCP connections this process has open to `port` on the loopback (from /proc). */
function connectionsTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  let count = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      const remotePort = Number.parseInt(f[2]?.split(':')[1] ?? '', 16);
      // 01 = ESTABLISHED; the gate's own server-side sockets have `port` as their local port, not remote.
      if (f[3] === '01' && remotePort === port && inodes.has(f[9] ?? '')) count++;
    }
  }
  return count;
}

const cm = (name: string, namespace: string): ConfigMap => ({ metadata: { name, namespace }, data: {} });

describe('HTTP/2 to kcp', () => {
  it('multiplexes every watch and request over one TCP connection, and every watch recovers when it is cut', {
    timeout: 240_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const ws = await kcp.createWorkspace({ generateName: 'http2-' });
    const admin = kcp.clientFor(ws.path);
    const namespaces = Array.from({ length: 8 }, (_, i) => `watch-${i}`);
    for (const name of namespaces) await admin.create(NamespaceResource, { metadata: { name } });

    const gate = await TcpGate.listen(Number(new URL(kcp.baseUrl).port));
    onTestFinished(() => gate.close());
    const rest = RestClient.fromKubeConfig({ path: kcp.kubeconfigPath }, { http2: true }).withServer(
      `https://127.0.0.1:${gate.port}/clusters/${ws.path}`,
    );
    onTestFinished(() => rest.pool.close());
    const client = new Client(rest);
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    const informers = namespaces.map((namespace) => {
      const informer = new SharedInformer(client, ConfigMapResource, { namespace });
      informer.start(stop.signal);
      return informer;
    });
    await Promise.all(informers.map((i) => i.waitForSync({ timeoutMs: 60_000 })));

    // Requests through the same client while all eight watches are open.
    await Promise.all(namespaces.map((ns) => client.create(ConfigMapResource, cm('before-cut', ns))));
    await waitFor(() => informers.every((i) => storeVersions(i).has('before-cut')), {
      what: 'every watch to deliver its ConfigMap',
    });
    // A burst at start-up may open a second connection before ALPN has said h2; it idles out.
    await waitFor(() => connectionsTo(gate.port) === 1, {
      what: 'the client to hold exactly one connection to kcp',
      timeoutMs: 30_000,
      describe: () => `${connectionsTo(gate.port)} connections`,
    });

    gate.shut();
    await waitFor(() => connectionsTo(gate.port) === 0, { what: 'the gate to drop the connection' });
    gate.open();
    // Written by the admin client (not through the gate), so only a recovered watch can deliver them.
    await Promise.all(namespaces.map((ns) => admin.create(ConfigMapResource, cm('after-cut', ns))));
    await waitFor(() => informers.every((i) => storeVersions(i).has('after-cut')), {
      what: 'every watch to recover and deliver the ConfigMap written after the cut',
      timeoutMs: 120_000,
      describe: () =>
        informers.map((i, n) => `${namespaces[n]}: ${[...storeVersions(i).keys()].join(',')}`).join('; '),
    });
    await waitFor(() => connectionsTo(gate.port) === 1, {
      what: 'the client to be back to one connection to kcp',
      timeoutMs: 30_000,
      describe: () => `${connectionsTo(gate.port)} connections`,
    });
    expect(connectionsTo(gate.port)).toBe(1);
  });
});

describe('HTTP/2: one connection from the first request on', () => {
  it('opens exactly one TCP connection for three watches and three requests started at the same instant', {
    timeout: 120_000,
  }, async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const ws = await kcp.createWorkspace({ generateName: 'http2-burst-' });
    const admin = kcp.clientFor(ws.path);
    const namespaces = ['burst-0', 'burst-1', 'burst-2'];
    for (const name of namespaces) await admin.create(NamespaceResource, { metadata: { name } });

    const gate = await TcpGate.listen(Number(new URL(kcp.baseUrl).port));
    onTestFinished(() => gate.close());
    // A fresh client: no connection exists yet, so all six race the first one's TLS handshake and the
    // server's SETTINGS (until those arrive undici counts an HTTP/2 connection as busy).
    const rest = RestClient.fromKubeConfig({ path: kcp.kubeconfigPath }).withServer(
      `https://127.0.0.1:${gate.port}/clusters/${ws.path}`,
    );
    onTestFinished(() => rest.pool.close());
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    const started = namespaces.flatMap((ns) => [
      rest.stream({
        path: `/api/v1/namespaces/${ns}/configmaps`,
        query: { watch: 'true' },
        signal: stop.signal,
      }),
      rest.request({ path: `/api/v1/namespaces/${ns}/configmaps` }),
    ]);
    const answers = await Promise.all(started);
    expect(answers).toHaveLength(6);
    // Counted at once: a second connection opened by the burst would still be open (idle connections
    // are kept for seconds), and the three watches hold theirs.
    expect(connectionsTo(gate.port)).toBe(1);
  });
});

describe("HTTP/2 by default, past the server's stream limit", () => {
  it('spreads more watches than SETTINGS_MAX_CONCURRENT_STREAMS over as few connections as the limit allows, and all recover when the server side drops them', {
    timeout: 240_000,
  }, async () => {
    const kube = await sharedKube();
    const admin = kube.client;
    const namespace = `h2-streams-${Date.now().toString(36)}`;
    await admin.create(NamespaceResource, { metadata: { name: namespace } });
    onTestFinished(async () => {
      await admin.delete(NamespaceResource, namespace).catch(() => undefined);
    });

    // kube-apiserver (and kcp) advertise 100 concurrent streams per connection: 110 watches need two.
    const watches = 110;
    const gate = await TcpGate.listen(Number(new URL(kube.client.rest.server).port));
    onTestFinished(() => gate.close());
    // No `http2` option: the default is what is under test.
    const rest = RestClient.fromKubeConfig({ path: kube.kubeconfigPath }).withServer(
      `https://127.0.0.1:${gate.port}`,
    );
    onTestFinished(() => rest.pool.close());
    const client = new Client(rest);
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    const informers = Array.from({ length: watches }, () => {
      const informer = new SharedInformer(client, ConfigMapResource, { namespace });
      informer.start(stop.signal);
      return informer;
    });
    await Promise.all(informers.map((i) => i.waitForSync({ timeoutMs: 120_000 })));

    await admin.create(ConfigMapResource, cm('before-cut', namespace));
    await waitFor(() => informers.every((i) => storeVersions(i).has('before-cut')), {
      what: `all ${watches} watches to deliver the ConfigMap`,
      timeoutMs: 60_000,
      describe: () => `${informers.filter((i) => storeVersions(i).has('before-cut')).length} did`,
    });
    await waitFor(() => connectionsTo(gate.port) === 2, {
      what: `the client to carry ${watches} watches over two connections`,
      timeoutMs: 60_000,
      describe: () => `${connectionsTo(gate.port)} connections`,
    });

    gate.shut();
    await waitFor(() => connectionsTo(gate.port) === 0, { what: 'the gate to drop both connections' });
    gate.open();
    await admin.create(ConfigMapResource, cm('after-cut', namespace));
    await waitFor(() => informers.every((i) => storeVersions(i).has('after-cut')), {
      what: `all ${watches} watches to recover and deliver the ConfigMap written after the cut`,
      timeoutMs: 150_000,
      describe: () => `${informers.filter((i) => storeVersions(i).has('after-cut')).length} did`,
    });
    expect(informers.filter((i) => storeVersions(i).has('after-cut'))).toHaveLength(watches);
  });
});
