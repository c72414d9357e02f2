import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  type ConfigMap,
  ConfigMapResource,
  SharedInformer,
  isAlreadyExists,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { serverVersions, storeDiff, storeVersions } from './store-convergence.ts';

const log = (line: string): void => {
  console.log(`[informer-heal] ${line}`);
};

/** How many times kcp is restarted under load. */
const RESTARTS = 5;

/** The p-th percentile (0–100) of `values`, nearest-rank. */
function percentile(values: readonly number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/**
 * Creates, updates and deletes ConfigMaps in a loop until stopped, retrying its own failures (kcp is
 * restarting under it): the steady write load an informer must keep up with across restarts.
 */
async function writeSteadily(client: Client, stop: AbortSignal, stats: { ok: number; failed: number }) {
  const names = Array.from({ length: 12 }, (_, i) => `load-${i}`);
  let n = 0;
  while (!stop.aborted) {
    const name = names[Math.floor(Math.random() * names.length)] ?? 'load-0';
    const roll = Math.random();
    try {
      if (roll < 0.2) {
        await client.delete(ConfigMapResource, name, { namespace: 'default' });
      } else {
        try {
          await client.patch(ConfigMapResource, name, { data: { n: String(n++) } }, { namespace: 'default' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          const object: ConfigMap = { metadata: { name, namespace: 'default' }, data: { n: String(n++) } };
          await client.create(ConfigMapResource, object);
        }
      }
      stats.ok++;
    } catch (err) {
      if (!isNotFound(err) && !isAlreadyExists(err)) {
        stats.failed++;
        await sleep(250);
      }
    }
    await sleep(100);
  }
}

describe('SharedInformer healing after restarts of a real kcp under write load', () => {
  let kcp: KcpTestEnvironment | undefined;

  beforeAll(async () => {
    // Its own kcp: restarting the run's shared one would break the test files running beside this one.
    kcp = await KcpTestEnvironment.start({ binary: (await ensureKcpBinary()).path });
    log(`own kcp started in ${(kcp.startupMs / 1000).toFixed(1)} s at ${kcp.baseUrl}`);
  });

  afterAll(async () => {
    await kcp?.stop();
  });

  it(`converges exactly after each of ${RESTARTS} restarts, and reports how fast`, {
    timeout: 900_000,
  }, async () => {
    if (!kcp) throw new Error('kcp did not start');
    const env = kcp;
    const ws = await env.createWorkspace({ generateName: 'infheal-' });
    const admin = env.clientFor(ws.path);
    const t0 = performance.now();
    const now = (): number => performance.now() - t0;

    // The informer talks to kcp directly with default options: this measures the shipped behaviour.
    const requests: number[] = [];
    const rest = env.clientFor(ws.path).rest.withObserver({ requestStarted: () => requests.push(now()) });
    const errors: { at: number; message: string }[] = [];
    const informer = new SharedInformer(new Client(rest), ConfigMapResource, {
      namespace: 'default',
      onError: (err) => errors.push({ at: now(), message: err.message }),
    });
    // When the informer last delivered a change: a store that merely still equals the server (nothing was
    // written yet since the restart) must not count as healed.
    let lastEventAt = 0;
    const touched = (): void => {
      lastEventAt = now();
    };
    informer.addHandler({ onAdd: touched, onUpdate: touched, onDelete: touched });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 60_000 });
    const readyz = env.client.rest.withServer(env.baseUrl);
    const isReady = async (): Promise<boolean> => {
      try {
        (await readyz.stream({ path: '/readyz', timeoutMs: 2_000 })).close();
        return true;
      } catch {
        return false;
      }
    };

    const stopWriting = new AbortController();
    onTestFinished(() => stopWriting.abort());
    const writes = { ok: 0, failed: 0 };
    const writer = writeSteadily(admin, stopWriting.signal, writes);

    let server = new Map<string, string>();
    const converged = async (): Promise<boolean> => {
      server = await serverVersions(admin, ConfigMapResource, 'default');
      const d = storeDiff(storeVersions(informer), server);
      return d.missing.length + d.stale.length + d.ghosts.length === 0;
    };
    const describeDiff = (): string => JSON.stringify(storeDiff(storeVersions(informer), server));

    await waitFor(converged, {
      what: 'the informer to match a LIST before the first restart',
      timeoutMs: 60_000,
    });
    const heal: number[] = [];
    for (let i = 1; i <= RESTARTS; i++) {
      const before = { errors: errors.length, requests: requests.length };
      const restarting = env.restart({ downtimeMs: 1000 });
      await waitFor(async () => !(await isReady()), {
        what: 'kcp to stop',
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const down = now();
      // "Ready again" is kcp's /readyz answering 200, polled every 100 ms.
      await waitFor(isReady, {
        what: `kcp to be ready after restart ${i}`,
        timeoutMs: 180_000,
        intervalMs: 100,
      });
      const ready = now();
      await waitFor(async () => lastEventAt > ready && (await converged()), {
        what: `the informer store to match a fresh LIST after restart ${i}`,
        timeoutMs: 120_000,
        intervalMs: 100,
        describe: describeDiff,
      });
      const healMs = now() - ready;
      heal.push(healMs);
      await restarting;
      log(
        `restart ${i}: kcp down ${((ready - down) / 1000).toFixed(1)} s; store converged ${(healMs / 1000).toFixed(2)} s after kcp was ready; ` +
          `${requests.length - before.requests} informer requests, ${errors.length - before.errors} error callbacks meanwhile`,
      );
      // Let writes flow through a healthy watch for a moment before the next restart.
      await sleep(3_000);
    }

    stopWriting.abort();
    await writer;
    await waitFor(converged, { what: 'the final convergence after writes stopped', timeoutMs: 60_000 });
    const final = storeDiff(storeVersions(informer), server);
    log(
      `heal times (s): ${heal.map((ms) => (ms / 1000).toFixed(2)).join(', ')}; ` +
        `p50 ${(percentile(heal, 50) / 1000).toFixed(2)} s, p99 ${(percentile(heal, 99) / 1000).toFixed(2)} s; ` +
        `${writes.ok} writes ok, ${writes.failed} failed (retried); final diff ${JSON.stringify(final)}`,
    );
    log(
      `distinct error messages: ${[...new Set(errors.map((e) => e.message.replace(/\d+/g, 'N')))].join(' | ')}`,
    );
    expect(final).toEqual({ missing: [], stale: [], ghosts: [] });
    expect(server.size).toBeGreaterThan(1);
    expect(informer.running).toBe(true);
    expect(heal).toHaveLength(RESTARTS);
    // Measured on a loaded 2-core machine: p99 0.32 s (it was 33 s before the watcher's backoff learnt to
    // heal fast). The bound leaves room for slower machines; the shipped backoff caps waits at 3 s.
    expect(percentile(heal, 99)).toBeLessThanOrEqual(8_000);
  });
});
