import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigMapResource, EventResource, LeaseResource } from '../client/builtins.ts';
import type { Cluster, ClusterName, Provider } from '../cluster/cluster.ts';
import { ClusterNotFoundError } from '../cluster/cluster.ts';
import { StaticProvider } from '../cluster/static-provider.ts';
import { Controller } from '../controller/controller.ts';
import { JsonLogger } from '../log/json-logger.ts';
import { silentLogger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { Manager } from './manager.ts';
import type { ManagerOptions } from './manager-options.ts';
import type { CacheSyncingRunnable, ClusterAwareRunnable } from './runnable.ts';

/** A stand-in for a controller: records engagements, can be made slow to engage, sync or drain. */
class FakeController implements ClusterAwareRunnable, CacheSyncingRunnable {
  readonly name: string;
  readonly needLeaderElection: boolean;
  readonly history: string[] = [];
  readonly engaged = new Map<ClusterName, { cluster: Cluster; signal: AbortSignal }>();
  started = 0;
  stopped = 0;
  /** Engage hook: may delay or throw. */
  onEngage: (name: ClusterName) => Promise<void> | void = () => {};
  /** Resolved when caches are "synced". */
  sync = Promise.withResolvers<void>();
  /** How long start takes to drain after its signal aborts. */
  drain: () => Promise<void> = async () => {};

  constructor(name: string, options: { needLeaderElection?: boolean; synced?: boolean } = {}) {
    this.name = name;
    this.needLeaderElection = options.needLeaderElection ?? false;
    if (options.synced ?? true) this.sync.resolve();
  }

  live(): ClusterName[] {
    return [...this.engaged.keys()].toSorted();
  }

  async start(signal: AbortSignal): Promise<void> {
    this.started++;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.drain();
    this.stopped++;
  }

  async engage(name: ClusterName, cluster: Cluster, signal: AbortSignal): Promise<void> {
    this.history.push(`+${name}`);
    await this.onEngage(name);
    this.engaged.set(name, { cluster, signal });
    signal.addEventListener(
      'abort',
      () => {
        this.history.push(`-${name}`);
        if (this.engaged.get(name)?.signal === signal) this.engaged.delete(name);
      },
      { once: true },
    );
  }

  async waitForCacheSync(signal: AbortSignal): Promise<void> {
    await Promise.race([
      this.sync.promise,
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      ),
    ]);
  }
}

const until = (what: string, probe: () => boolean, timeoutMs = 15_000): Promise<true> =>
  waitFor(() => probe() || undefined, { what, timeoutMs, intervalMs: 5 });

/** The value of one sample line of Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('Manager', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  const running: Array<{ manager: Manager; done: Promise<unknown> }> = [];

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, EventResource, LeaseResource] });
  });
  afterEach(async () => {
    await Promise.all(
      running.splice(0).map(async ({ manager, done }) => {
        await manager.stop();
        await done;
      }),
    );
    await server.stop();
  });

  function newManager(options: ManagerOptions = {}): Manager {
    return new Manager({ local: server.client(), logger: silentLogger, defaultMetrics: false, ...options });
  }

  async function run(m: Manager): Promise<Manager> {
    const done = m.start().catch((error: unknown) => error);
    running.push({ manager: m, done });
    await m.started;
    return m;
  }

  describe('engagement', () => {
    it('engages the local cluster and every provider cluster into cluster-aware runnables', async () => {
      const provider = new StaticProvider();
      const a = provider.add('a', server.client());
      provider.add('b', server.client());
      const m = newManager({ provider });
      const controller = new FakeController('c');
      m.add(controller);
      await run(m);
      await until('three engagements', () => controller.live().length === 3);
      expect(controller.live()).toEqual(['', 'a', 'b']);
      expect(controller.engaged.get('')?.cluster).toBe(m.localCluster);
      expect(await m.getCluster('a')).toBe(a);
      expect(await m.getCluster('')).toBe(m.localCluster);
      await expect(m.getCluster('zzz')).rejects.toBeInstanceOf(ClusterNotFoundError);
      expect(m.clusterNames()).toEqual(['a', 'b']);
      expect(controller.started).toBe(1);
    });

    it('replays engaged clusters into runnables added after start, and engages new clusters into all', async () => {
      const provider = new StaticProvider();
      provider.add('a', server.client());
      const m = await run(newManager({ provider }));
      const early = new FakeController('early');
      m.add(early);
      await until('early engaged', () => early.live().length === 2);
      const late = new FakeController('late');
      m.add(late);
      await until('late replayed', () => late.live().length === 2);
      expect(late.live()).toEqual(['', 'a']);
      provider.add('b', server.client());
      await until('b everywhere', () => early.live().includes('b') && late.live().includes('b'));
    });

    it('disengaging a cluster aborts its engagement in every runnable; replacing re-engages', async () => {
      const provider = new StaticProvider();
      provider.add('a', server.client());
      provider.add('b', server.client());
      const m = newManager({ provider });
      const one = new FakeController('one');
      const two = new FakeController('two');
      m.add(one);
      m.add(two);
      await run(m);
      await until('engaged', () => one.live().length === 3 && two.live().length === 3);
      provider.remove('a');
      expect(one.live()).toEqual(['', 'b']);
      expect(two.live()).toEqual(['', 'b']);
      await expect(m.getCluster('a')).rejects.toBeInstanceOf(ClusterNotFoundError);
      const replacement = provider.add('b', server.client());
      await until('b re-engaged', () => one.engaged.get('b')?.cluster === replacement);
      expect(one.history.filter((h) => h.endsWith('b'))).toEqual(['+b', '-b', '+b']);
      const text = await m.registry.metrics();
      expect(sample(text, 'kubeloom_engaged_clusters')).toBe(1);
    });

    it("queues engagements off the provider's stack, and a slow cluster or runnable blocks nothing", async () => {
      const provider = new StaticProvider();
      const m = newManager({ provider });
      const stuck = new FakeController('stuck');
      stuck.onEngage = (name) => (name === 'slow' ? new Promise<void>(() => {}) : undefined);
      const other = new FakeController('other');
      m.add(stuck);
      m.add(other);
      await run(m);
      provider.add('slow', server.client());
      provider.add('fast', server.client());
      // Nothing ran synchronously inside the provider's add().
      expect(stuck.history).not.toContain('+slow');
      await until(
        'fast engaged everywhere',
        () => stuck.live().includes('fast') && other.live().includes('slow'),
      );
      expect(stuck.live()).not.toContain('slow');
      // The Aware call itself resolves at once even though a runnable never finishes engaging.
      const cluster = await provider.get('fast');
      await m.engage('direct', cluster, new AbortController().signal);
      expect(await m.getCluster('direct')).toBe(cluster);
    });

    it('retries an engagement that failed', async () => {
      const provider = new StaticProvider();
      provider.add('a', server.client());
      const m = newManager({ provider, engageRetryDelayMs: 10 });
      const flaky = new FakeController('flaky');
      let failures = 2;
      flaky.onEngage = (name) => {
        if (name === 'a' && failures-- > 0) throw new Error('informer not ready');
      };
      m.add(flaky);
      await run(m);
      await until('a engaged after retries', () => flaky.live().includes('a'));
      expect(flaky.history.filter((h) => h === '+a')).toHaveLength(3);
    });

    it('ignores a provider cluster named like the local cluster', async () => {
      const m = await run(newManager());
      await m.engage('', m.localCluster, new AbortController().signal);
      expect(m.clusterNames()).toEqual([]);
    });

    it('applies indexField to the local cluster and through the provider', async () => {
      const provider = new StaticProvider();
      const a = provider.add('a', server.client());
      const m = newManager({ provider });
      await m.indexField(ConfigMapResource, 'byName', (cm) => [cm.metadata?.name ?? '']);
      expect(m.localCluster.cache.informer(ConfigMapResource).store.hasIndex('byName')).toBe(true);
      expect(a.cache.informer(ConfigMapResource).store.hasIndex('byName')).toBe(true);
      await m.stop();
    });
  });

  describe('readiness and HTTP endpoints', () => {
    it("is ready only after the provider's initial set and every cache sync, and not while shutting down", async () => {
      const providerReady = Promise.withResolvers<void>();
      const inner = new StaticProvider();
      inner.add('a', server.client());
      const provider: Provider = {
        get: (name) => inner.get(name),
        start: (aware, signal) => inner.start(aware, signal),
        ready: providerReady.promise,
      };
      const m = newManager({ provider, healthProbeBindAddress: '127.0.0.1:0' });
      const controller = new FakeController('c', { synced: false });
      const drained = Promise.withResolvers<void>();
      controller.drain = () => drained.promise;
      m.add(controller);
      expect(m.ready).toBe(false);
      await run(m);
      const readyz = `http://127.0.0.1:${m.healthProbeAddress?.port}/readyz`;
      await sleep(20);
      expect(m.ready).toBe(false);
      let res = await fetch(readyz);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("[-]manager failed: waiting for the provider's initial clusters");

      providerReady.resolve();
      await until('waiting for caches', () => !m.ready);
      await sleep(20);
      expect(m.ready).toBe(false);
      res = await fetch(readyz);
      expect(await res.text()).toContain('caches');

      controller.sync.resolve();
      await until('ready', () => m.ready);
      res = await fetch(readyz);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok');
      res = await fetch(`${readyz}?verbose`);
      expect(await res.text()).toBe('[+]manager ok\nreadyz check passed\n');

      const stopping = m.stop();
      await until('draining', () => controller.started === 1 && !m.ready);
      res = await fetch(readyz);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('shutting down');
      drained.resolve();
      await stopping;
    });

    it('a runnable added later makes the manager unready until its caches sync', async () => {
      const m = await run(newManager());
      await until('ready', () => m.ready);
      const late = new FakeController('late', { synced: false });
      m.add(late);
      expect(m.ready).toBe(false);
      late.sync.resolve();
      await until('ready again', () => m.ready);
    });

    it("hands a controller built without them the manager's logger and metrics, and keeps those it was given", async () => {
      const lines: string[] = [];
      // Calls back as a stream does, so the manager's final flush does not wait out its timeout.
      const destination = {
        write: (line: string, done?: (error?: Error | null) => void) => {
          if (line) lines.push(line);
          done?.();
        },
      };
      const m = newManager({ logger: new JsonLogger({ destination }) });
      const bare = new Controller('bare', async () => {});
      const own = new Controller('own', async () => {}, { logger: silentLogger });
      m.add(bare);
      m.add(own);
      await run(m);
      // Ready means the local cluster is engaged into both controllers: their requests are not dropped.
      await until('the manager to be ready', () => m.ready);
      bare.enqueue({ cluster: '', namespace: 'default', name: 'one' });
      own.enqueue({ cluster: '', namespace: 'default', name: 'one' });
      const reconciled = (controller: string) => async () =>
        sample(
          await m.registry.metrics(),
          `controller_runtime_reconcile_total{controller="${controller}",result="success"}`,
        ) === 1 || undefined;
      await waitFor(reconciled('bare'), { what: "the bare controller's reconcile in the manager's metrics" });
      await waitFor(reconciled('own'), { what: "the other controller's reconcile in the manager's metrics" });
      expect(lines.some((l) => l.includes('"controller":"bare"') && l.includes('controller started'))).toBe(
        true,
      );
      expect(lines.some((l) => l.includes('"controller":"own"'))).toBe(false);
    });

    it('serves /healthz, custom checks, and /metrics on a separate port', async () => {
      const m = newManager({ healthProbeBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0' });
      let healthy = true;
      m.addHealthzCheck('custom', () => healthy);
      await run(m);
      const probe = `http://127.0.0.1:${m.healthProbeAddress?.port}`;
      const metrics = `http://127.0.0.1:${m.metricsAddress?.port}`;
      expect(m.metricsAddress?.port).not.toBe(m.healthProbeAddress?.port);
      expect(await (await fetch(`${probe}/healthz`)).text()).toBe('ok');
      healthy = false;
      const res = await fetch(`${probe}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('[+]ping ok\n[-]custom failed: reason withheld\nhealthz check failed\n');
      expect((await fetch(`${probe}/metrics`)).status).toBe(404);
      expect((await fetch(`${probe}/nope`)).status).toBe(404);

      m.controllerMetrics.reconcileFinished('orders', 'success', 0.3);
      m.controllerMetrics.reconcileError('orders', false);
      const scrape = await fetch(`${metrics}/metrics`);
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      const text = await scrape.text();
      expect(sample(text, 'controller_runtime_reconcile_total{controller="orders",result="success"}')).toBe(
        1,
      );
      expect(
        sample(text, 'controller_runtime_reconcile_total{controller="orders",result="requeue_after"}'),
      ).toBe(0);
      expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="orders"}')).toBe(1);
      expect(sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="orders"}')).toBe(1);
      expect(sample(text, 'kubeloom_engaged_clusters')).toBe(0);
    });

    it('serves /metrics from the probe server when both use the same address, with process metrics by default', async () => {
      const port = await freePort();
      const m = newManager({
        healthProbeBindAddress: `127.0.0.1:${port}`,
        metricsBindAddress: `127.0.0.1:${port}`,
        defaultMetrics: true,
        metricsClusterLabel: true,
      });
      await run(m);
      expect(m.metricsAddress?.port).toBe(port);
      m.controllerMetrics.reconcileFinished('orders', 'success', 0.01, 'root:a');
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      expect(
        sample(
          text,
          'controller_runtime_reconcile_total{controller="orders",result="success",cluster="root:a"}',
        ),
      ).toBe(1);
    });

    it('fails to start when a port is taken, and shuts down cleanly', async () => {
      const first = await run(newManager({ healthProbeBindAddress: '127.0.0.1:0' }));
      const second = newManager({ healthProbeBindAddress: `127.0.0.1:${first.healthProbeAddress?.port}` });
      await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
      expect(second.ready).toBe(false);
    });

    it('rejects malformed bind addresses at construction', () => {
      expect(() => newManager({ metricsBindAddress: 'localhost' })).toThrow(
        /metricsBindAddress "localhost" is not a bind address/,
      );
    });
  });

  describe('shutdown', () => {
    it('drains runnables before closing servers, and start resolves after that', async () => {
      const m = newManager({ healthProbeBindAddress: '127.0.0.1:0' });
      const controller = new FakeController('c');
      const order: string[] = [];
      controller.drain = async () => {
        await sleep(50);
        order.push('drained');
      };
      m.add(controller);
      const done = m.start();
      await m.started;
      const port = m.healthProbeAddress?.port;
      await fetch(`http://127.0.0.1:${port}/healthz`);
      const stopped = m.stop().then(() => order.push('stopped'));
      await done;
      order.push('start resolved');
      await stopped;
      expect(order).toEqual(['drained', 'stopped', 'start resolved']);
      expect(controller.stopped).toBe(1);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow(/fetch failed/);
      expect(() => m.add(new FakeController('too late'))).toThrow(/shutting down/);
      await expect(m.start()).rejects.toThrow(/started once/);
    });

    it('stops waiting for runnables at the graceful shutdown deadline', async () => {
      const warnings: string[] = [];
      const logger = {
        ...silentLogger,
        warn: (_: unknown, msg?: string) => void warnings.push(msg ?? ''),
        child: () => logger,
      };
      const m = newManager({ gracefulShutdownMs: 50, logger });
      const stuck = new FakeController('stuck');
      // Its drain never settles, so start() can resolve only by giving up on it at the deadline.
      stuck.drain = () => new Promise<void>(() => {});
      m.add(stuck);
      await m.start(AbortSignal.timeout(20));
      expect(warnings.some((w) => w.includes('stuck'))).toBe(true);
    });

    it('shuts down and rejects when a runnable fails', async () => {
      const m = newManager();
      const controller = new FakeController('c');
      m.add(controller);
      m.add({
        name: 'broken',
        needLeaderElection: false,
        start: async () => Promise.reject(new Error('boom')),
      });
      await expect(m.start()).rejects.toThrow('boom');
      expect(controller.stopped).toBe(1);
    });

    it('stops on the first signal and forces exit on the second', async () => {
      const m = newManager();
      const source = new EventEmitter();
      const exit = vi.fn<(code: number) => void>();
      const uninstall = m.installSignalHandlers({ source, exit });
      const done = m.start();
      await m.started;
      source.emit('SIGTERM', 'SIGTERM');
      expect(exit).not.toHaveBeenCalled();
      source.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(1);
      await done;
      uninstall();
      expect(source.listenerCount('SIGTERM')).toBe(0);
    });

    it('stop before start makes start fail', async () => {
      const m = newManager();
      await m.stop();
      await expect(m.start()).rejects.toThrow(/started once/);
    });
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}
