import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigMapResource,
  type InformerCache,
  Manager,
  MultiProvider,
  silentLogger,
  waitFor,
} from '@kubeloom/core';
import { FakeApiServer, RecordingLogger, recordingAware } from '@kubeloom/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KindProvider, type KindProviderOptions } from './kind-provider.ts';
import { STAND_IN_KIND, useStandInKindDir } from './stand-in-kind.test.support.ts';

const until = <T>(what: string, probe: () => T | undefined | false): Promise<T> =>
  waitFor(probe, { what, timeoutMs: 10_000, intervalMs: 10 });

/** Counts of the process's active handles by kind (sockets, timers...). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

// Generous: the stand-in kind is a process per call, and CI runs everything in parallel on 2 cores.
describe('KindProvider', { timeout: 30_000 }, () => {
  let kindDir: string;
  let restoreEnv: () => void;
  let servers: FakeApiServer[];
  let stop: AbortController;

  beforeEach(async () => {
    ({ dir: kindDir, restore: restoreEnv } = useStandInKindDir());
    servers = await Promise.all([0, 1, 2].map(() => FakeApiServer.start({ resources: [ConfigMapResource] })));
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await Promise.all(servers.map((s) => s.stop()));
    restoreEnv();
  });

  const server = (i: number): FakeApiServer => {
    const s = servers[i];
    if (!s) throw new Error(`no fake API server ${i}`);
    return s;
  };
  const putCluster = (name: string, kubeconfig: string): void =>
    writeFileSync(join(kindDir, `${name}.kubeconfig`), kubeconfig);
  const deleteCluster = (name: string): void => rmSync(join(kindDir, `${name}.kubeconfig`));

  /** Starts a provider on the stand-in kind; a long interval so that only `refresh()` drives it. */
  async function start(options: Partial<KindProviderOptions> = {}) {
    const provider = new KindProvider({ kindBinary: STAND_IN_KIND, intervalMs: 60_000, ...options });
    // Like a controller would, start an informer in each cluster engaged.
    const aware = recordingAware(({ cluster }) => void cluster.cache.informer(ConfigMapResource));
    const running = provider.start(aware, stop.signal);
    return { provider, aware, running };
  }

  it('engages every kind cluster with a client and informers of its own', async () => {
    putCluster('dev', server(0).kubeconfig());
    putCluster('staging', server(1).kubeconfig());
    const { provider, aware } = await start();
    await provider.ready;
    expect(aware.live()).toEqual(['dev', 'staging']);
    expect(provider.names()).toEqual(['dev', 'staging']);
    expect((await provider.get('dev')).client.rest.server).toBe(server(0).url);
    expect((await provider.get('staging')).client.rest.server).toBe(server(1).url);
    expect(provider.notReadyReason()).toBeUndefined();
    await expect(provider.get('prod')).rejects.toThrow('cluster "prod" is not engaged');
  });

  it('uses the internal kubeconfig when asked to', async () => {
    putCluster('dev', server(0).kubeconfig());
    writeFileSync(join(kindDir, 'dev.internal-kubeconfig'), server(1).kubeconfig());
    const { provider } = await start({ internalKubeconfig: true });
    await provider.ready;
    expect((await provider.get('dev')).client.rest.server).toBe(server(1).url);
  });

  it('is ready with no clusters when kind has none', async () => {
    const { provider, aware } = await start();
    await provider.ready;
    expect(aware.engaged).toEqual([]);
  });

  it('engages only the clusters with the prefix and says so for the others', async () => {
    putCluster('fleet-a', server(0).kubeconfig());
    putCluster('scratch', server(1).kubeconfig());
    const { provider, aware } = await start({ prefix: 'fleet-' });
    await provider.ready;
    expect(aware.live()).toEqual(['fleet-a']);
    await expect(provider.get('scratch')).rejects.toThrow(
      'cluster "scratch" is not engaged: only kind clusters whose name starts with "fleet-" are engaged',
    );
  });

  it('follows clusters on its interval: a new one is engaged, a deleted one disengaged', async () => {
    const { provider, aware } = await start({ intervalMs: 50 });
    await provider.ready;
    putCluster('late', server(0).kubeconfig());
    await until('late to be engaged', () => aware.live().includes('late'));
    deleteCluster('late');
    await until('late to be disengaged', () => aware.live().length === 0);
    await expect(provider.get('late')).rejects.toThrow('cluster "late" is not engaged');
  });

  it('disengages a deleted cluster without leaving a timer, socket or informer behind', async () => {
    putCluster('keep', server(0).kubeconfig());
    const { provider, aware } = await start();
    await provider.ready;
    await until('keep to be engaged', () => aware.live().includes('keep'));
    // The baseline: one engaged cluster with its watch open; the one to delete has not appeared yet.
    await until('the watch of keep to be open', () => server(0).openWatches === 1);
    const baseline = activeResources();

    putCluster('doomed', server(1).kubeconfig());
    await provider.refresh();
    const doomed = aware.engaged.find((e) => e.name === 'doomed');
    if (!doomed) throw new Error('doomed was not engaged');
    await until('the watch of doomed to be open', () => server(1).openWatches === 1);
    expect(activeResources().get('TCPSocketWrap')).toBeGreaterThan(baseline.get('TCPSocketWrap') ?? 0);

    deleteCluster('doomed');
    await provider.refresh();
    expect(doomed.signal.aborted).toBe(true);
    const informers = (doomed.cluster.cache as InformerCache).informers();
    expect(informers.map((i) => i.running)).toEqual([false]);
    await until('the server to see the watch of doomed close', () => server(1).openWatches === 0);
    await until('sockets and timers to be back to the baseline', () => {
      const now = activeResources();
      return ['TCPSocketWrap', 'Timeout'].every((kind) => (now.get(kind) ?? 0) <= (baseline.get(kind) ?? 0));
    });
    expect(aware.live()).toEqual(['keep']);
  });

  it('re-engages a cluster recreated under the same name', async () => {
    putCluster('dev', server(0).kubeconfig());
    const { provider, aware } = await start();
    await provider.ready;
    const first = aware.engaged[0];

    putCluster('dev', server(1).kubeconfig());
    await provider.refresh();
    expect(first?.signal.aborted).toBe(true);
    expect(aware.engaged.map((e) => `${e.name}:${e.signal.aborted}`)).toEqual(['dev:true', 'dev:false']);
    expect((await provider.get('dev')).client.rest.server).toBe(server(1).url);

    // The same kubeconfig again changes nothing.
    await provider.refresh();
    expect(aware.engaged).toHaveLength(2);
  });

  it('reports an unreachable cluster once, engages the others, and retries it with backoff', async () => {
    const { url: deadUrl } = server(2);
    await server(2).stop();
    const logger = new RecordingLogger();
    const { lines } = logger;
    putCluster('down', server(0).kubeconfig().replace(server(0).url, deadUrl));
    putCluster('up', server(1).kubeconfig());
    let attempts = 0;
    const { provider, aware } = await start({
      logger,
      unreachableBackoff: { initialMs: 20, maxMs: 40, jitter: 0 },
      clientOptions: {
        observer: { requestStarted: (info) => void (info.url === `${deadUrl}/version` && attempts++) },
      },
    });
    await provider.ready;
    expect(aware.live()).toEqual(['up']);
    // The tail is core's ConnectionError message.
    const problem = `the API server of kind cluster "down" (${deadUrl}) does not answer: GET ${deadUrl}/version: `;
    await expect(provider.get('down')).rejects.toThrow(`cluster "down" is not engaged: ${problem}`);
    await expect(provider.get('down')).rejects.toThrow('ECONNREFUSED');
    // Several more attempts, one line.
    await waitFor(
      async () => {
        await provider.refresh();
        return attempts >= 4;
      },
      { what: 'four attempts to reach the API server of down', timeoutMs: 10_000, intervalMs: 20 },
    );
    const warnings = lines.filter((l) => l.message.includes('kind cluster "down"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
    expect(warnings[0]?.message.startsWith(problem)).toBe(true);
    expect(warnings[0]?.message.endsWith('; retrying with backoff')).toBe(true);

    // The server comes up on that port: the next attempt engages it.
    const port = Number(new URL(deadUrl).port);
    servers[2] = await FakeApiServer.start({ resources: [ConfigMapResource], port });
    await waitFor(
      async () => {
        await provider.refresh();
        return aware.live().includes('down');
      },
      { what: 'down to be engaged once it answers', timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(lines.filter((l) => l.message === 'kind cluster engaged').length).toBe(2);
  });

  it('keeps its clusters and reports not ready while kind fails, once per problem', async () => {
    putCluster('dev', server(0).kubeconfig());
    const logger = new RecordingLogger();
    const { lines } = logger;
    const { provider, aware } = await start({ logger });
    await provider.ready;

    writeFileSync(join(kindDir, 'fail'), 'ERROR: failed to list clusters: docker is not running\n');
    await provider.refresh();
    await provider.refresh();
    const reason = `cannot list kind clusters: \`kind get clusters\` (${STAND_IN_KIND}) failed with exit code 1: ERROR: failed to list clusters: docker is not running`;
    expect(provider.notReadyReason()).toBe(reason);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([reason]);
    expect(aware.live()).toEqual(['dev']);

    rmSync(join(kindDir, 'fail'));
    await provider.refresh();
    expect(provider.notReadyReason()).toBeUndefined();
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'kind answers again' });
  });

  it("keeps the problems of a cluster named kind (kind's default name) apart from kind's own", async () => {
    const logger = new RecordingLogger();
    const { lines } = logger;
    putCluster('kind', server(0).kubeconfig());
    writeFileSync(join(kindDir, 'fail'), 'ERROR: docker is not running\n');
    const { provider } = await start({ logger });
    await until('kind to fail', () => provider.notReadyReason());
    rmSync(join(kindDir, 'fail'));
    await provider.refresh();
    expect(provider.names()).toEqual(['kind']);
    expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      `error cannot list kind clusters: \`kind get clusters\` (${STAND_IN_KIND}) failed with exit code 1: ERROR: docker is not running`,
      'info kind answers again',
      'info kind cluster engaged',
    ]);
  });

  it('is not ready while the kind binary is missing, and says how to set it', async () => {
    const { provider } = await start({ kindBinary: '/nonexistent/kind' });
    await until('the provider to report the missing binary', () => provider.notReadyReason());
    expect(provider.notReadyReason()).toBe(
      'cannot list kind clusters: the kind binary "/nonexistent/kind" (from the kindBinary option) was not found; install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or set its path with the provider\'s kindBinary option or $KIND_BIN',
    );
    const ready = await Promise.race([
      provider.ready.then(() => 'ready'),
      provider.refresh().then(() => 'not'),
    ]);
    expect(ready).toBe('not');
  });

  it('logs an unusable kubeconfig once and engages the cluster when kind prints a good one', async () => {
    const logger = new RecordingLogger();
    const { lines } = logger;
    putCluster('broken', 'clusters: [ this is not yaml');
    putCluster('good', server(0).kubeconfig());
    const { provider, aware } = await start({ logger });
    await provider.ready;
    await provider.refresh();
    expect(aware.live()).toEqual(['good']);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(
      /^the kubeconfig of kind cluster "broken" \(from `kind get kubeconfig --name broken`\) cannot be used: kubeconfig \(given as text\) cannot be read: unexpected end of the stream within a flow collection \(1:29\); it is retried when kind prints a different one$/,
    );
    await expect(provider.get('broken')).rejects.toThrow(
      'cluster "broken" is not engaged: the kubeconfig of kind',
    );

    putCluster('broken', server(1).kubeconfig());
    await provider.refresh();
    expect(aware.live()).toEqual(['broken', 'good']);
  });

  it('disengages everything when stopped', async () => {
    putCluster('dev', server(0).kubeconfig());
    const { provider, aware, running } = await start();
    await provider.ready;
    stop.abort();
    await running;
    expect(aware.engaged.every((e) => e.signal.aborted)).toBe(true);
    await until('the watch to close', () => server(0).openWatches === 0);
  });

  it('names its clusters kind#<name> inside a MultiProvider', async () => {
    putCluster('dev', server(0).kubeconfig());
    const kind = new KindProvider({ kindBinary: STAND_IN_KIND, intervalMs: 60_000 });
    const multi = new MultiProvider();
    await multi.addProvider('kind', kind);
    const aware = recordingAware();
    void multi.start(aware, stop.signal);
    await multi.ready;
    expect(aware.live()).toEqual(['kind#dev']);
    expect((await multi.get('kind#dev')).client.rest.server).toBe(server(0).url);
  });

  it("fails the manager's /readyz with kind's problem until kind answers", async () => {
    const multi = new MultiProvider();
    await multi.addProvider('kind', new KindProvider({ kindBinary: '/nonexistent/kind', intervalMs: 50 }));
    const manager = new Manager({
      local: server(0).client(),
      provider: multi,
      logger: silentLogger,
      healthProbeBindAddress: '127.0.0.1:0',
      defaultMetrics: false,
    });
    const running = manager.start();
    try {
      const address = await until('the probe server to listen', () => manager.healthProbeAddress);
      let last = '';
      const body = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${address.port}/readyz?verbose`);
          last = `${res.status} ${await res.text()}`;
          return last.includes('kind:') ? last : undefined;
        },
        { what: '/readyz to name the missing kind binary', timeoutMs: 10_000, describe: () => last },
      );
      expect(body).toContain(
        '[-]manager failed: the provider is not ready: kind: cannot list kind clusters: the kind binary "/nonexistent/kind" (from the kindBinary option) was not found; install kind',
      );
    } finally {
      await manager.stop();
      await running;
    }
  });
});
