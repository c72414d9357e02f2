import {
  Client,
  type ConfigMap,
  ConfigMapResource,
  type RequestInfo,
  SharedInformer,
  clusterOf,
  waitFor,
} from '@kubeloom/core';
import { KcpTestEnvironment, ensureKcpBinary } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { TcpGate } from './tcp-gate.ts';

interface ObservedRequest extends RequestInfo {
  at: number;
  status?: number | undefined;
  finished?: boolean;
}

const cm = (name: string, value: string): ConfigMap => ({
  metadata: { name, namespace: 'default' },
  data: { value },
});

const log = (line: string): void => {
  console.log(`[informer-restart] ${line}`);
};

describe('SharedInformer across a restart of a real kcp', () => {
  let kcp: KcpTestEnvironment | undefined;

  beforeAll(async () => {
    // Its own kcp: restarting the run's shared one would break the test files running beside this one.
    kcp = await KcpTestEnvironment.start({ binary: (await ensureKcpBinary()).path });
    log(`own kcp started in ${(kcp.startupMs / 1000).toFixed(1)} s at ${kcp.baseUrl}`);
  });

  afterAll(async () => {
    const started = performance.now();
    await kcp?.stop();
    log(`own kcp stopped in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it('converges to the server state after changes made while it could not watch, without crashing', {
    timeout: 240_000,
  }, async () => {
    if (!kcp) throw new Error('kcp did not start');
    const env = kcp;
    const crashes: string[] = [];
    const onRejection = (reason: unknown): void => {
      crashes.push(`unhandledRejection: ${String(reason)}`);
    };
    const onException = (err: Error): void => {
      crashes.push(`uncaughtException: ${err.message}`);
    };
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    onTestFinished(() => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    });

    const ws = await env.createWorkspace({ generateName: 'infrestart-' });
    const admin = env.clientFor(ws.path);
    for (const name of ['keep', 'change', 'remove']) {
      await admin.create(ConfigMapResource, cm(name, 'seed'));
    }

    // The informer reaches kcp through the gate; an observer records its requests.
    const gate = await TcpGate.listen(Number(new URL(env.baseUrl).port));
    onTestFinished(() => gate.close());
    const t0 = performance.now();
    const now = (): number => performance.now() - t0;
    const requests: ObservedRequest[] = [];
    const rest = env.client
      .withServer(`https://127.0.0.1:${gate.port}/clusters/${ws.path}`)
      .rest.withObserver({
        requestStarted: (info) => requests.push({ ...info, at: now() }),
        requestFinished: (info) => {
          const r = requests.findLast((q) => q.url === info.url && !q.finished);
          if (r) Object.assign(r, { status: info.status, finished: true });
        },
      });
    const errors: { at: number; message: string }[] = [];
    let shutGateOnError = false;
    const informer = new SharedInformer(new Client(rest), ConfigMapResource, {
      namespace: 'default',
      backoff: { initialMs: 200, maxMs: 2000 },
      onError: (err) => {
        errors.push({ at: now(), message: err.message });
        // The first error after kcp went down: from now on the informer cannot reach kcp until the test
        // has changed the objects behind its back (kcp itself is still restarting at this moment).
        if (shutGateOnError && gate.state === 'open') gate.shut();
      },
    });
    // Events for the test's objects (the workspace also has kube-root-ca.crt, which kcp may touch).
    const events: string[] = [];
    const tracked = new Set(['keep', 'change', 'remove', 'added']);
    informer.addHandler({
      onAdd: (o, initial) => {
        if (tracked.has(o.metadata?.name ?? ''))
          events.push(`add${initial ? '(initial)' : ''} ${o.metadata?.name}`);
      },
      onUpdate: (_, o) => {
        if (tracked.has(o.metadata?.name ?? ''))
          events.push(`update ${o.metadata?.name} ${o.data?.['value']}`);
      },
      onDelete: (o) => {
        if (tracked.has(o.metadata?.name ?? '')) events.push(`delete ${o.metadata?.name}`);
      },
    });
    const stop = new AbortController();
    onTestFinished(() => stop.abort());
    informer.start(stop.signal);
    await informer.waitForSync({ timeoutMs: 30_000 });
    const ours = (): Map<string, string> => {
      const out = new Map<string, string>();
      for (const o of informer.store.values()) out.set(o.metadata?.name ?? '', o.data?.['value'] ?? '');
      return out;
    };
    expect(ours().get('keep')).toBe('seed');
    expect(ours().get('change')).toBe('seed');
    expect(ours().get('remove')).toBe('seed');
    expect([...informer.store.values()].every((o) => clusterOf(o) === ws.clusterName)).toBe(true);
    // A watch request that started and is still open half a second later.
    await waitFor(() => requests.some((r) => r.stream && !r.finished && now() - r.at > 500), {
      what: 'the informer to open its watch',
      timeoutMs: 10_000,
    });
    expect(errors).toEqual([]);
    expect(events.toSorted()).toEqual(['add(initial) change', 'add(initial) keep', 'add(initial) remove']);
    const eventsBeforeRestart = events.length;

    // Restart kcp (same root dir and port). The informer's watch breaks and its reconnects fail.
    shutGateOnError = true;
    const restartStarted = now();
    await env.restart({ downtimeMs: 1000 });
    const restartMs = now() - restartStarted;
    log(
      `kcp restart took ${(restartMs / 1000).toFixed(1)} s (kcp.startupMs ${(env.startupMs / 1000).toFixed(1)} s); ` +
        `${errors.length} informer errors so far, first after ${(((errors[0]?.at ?? Number.NaN) - restartStarted) / 1000).toFixed(2)} s: ${errors[0]?.message}`,
    );
    // It reported trouble while kcp was down, without throwing, and has not reconnected since.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.at).toBeLessThan(restartStarted + restartMs);
    expect(gate.state).toBe('shut');
    expect(informer.running).toBe(true);
    expect(crashes).toEqual([]);

    // Change the objects while the informer cannot see them.
    await admin.create(ConfigMapResource, cm('added', 'during-outage'));
    await admin.patch(
      ConfigMapResource,
      'change',
      { data: { value: 'during-outage' } },
      { namespace: 'default' },
    );
    await admin.delete(ConfigMapResource, 'remove', { namespace: 'default' });
    // Every request the informer made since its first error failed to connect (none is still open, none got
    // an HTTP status): it saw none of these changes live.
    const blocked = (): ObservedRequest[] => requests.filter((r) => r.at > (errors[0]?.at ?? 0));
    await waitFor(() => blocked().every((r) => r.finished), {
      what: "the informer's blocked requests to fail",
      timeoutMs: 5_000,
      intervalMs: 20,
      describe: () => JSON.stringify(blocked()),
    });
    const reopened = now();
    expect(blocked().filter((r) => r.status !== undefined)).toEqual([]);
    const attemptsDuringOutage = requests.filter((r) => r.at > restartStarted && r.at < reopened).length;
    gate.open();

    // The store converges to a fresh LIST (name → resourceVersion), including objects the test did not touch.
    const server = new Map<string, string>();
    const store = (): Map<string, string> =>
      new Map(
        [...informer.store.values()].map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']),
      );
    await waitFor(
      async () => {
        const list = await admin.list(ConfigMapResource, { namespace: 'default' });
        server.clear();
        for (const o of list.items) server.set(o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '');
        const mine = store();
        return mine.size === server.size && [...server].every(([name, rv]) => mine.get(name) === rv);
      },
      {
        what: 'the informer store to match a fresh LIST',
        timeoutMs: 60_000,
        intervalMs: 50,
        describe: () => `store ${JSON.stringify([...store()])}, server ${JSON.stringify([...server])}`,
      },
    );
    const convergeMs = now() - reopened;
    const after = requests.filter((r) => r.at >= reopened);
    const relisted = after.some((r) => !r.stream && r.method === 'GET');
    log(
      `converged ${(convergeMs / 1000).toFixed(2)} s after the informer could reach kcp again ` +
        `(${attemptsDuringOutage} requests failed during the outage; afterwards ${relisted ? 'relisted' : 'resumed the watch'}: ` +
        `${after.map((r) => `${r.stream ? 'WATCH' : r.method} ${r.finished ? (r.status ?? 'failed') : 'open'}`).join(', ')})`,
    );
    log(`informer errors: ${errors.map((e) => e.message).join(' | ')}`);

    expect(ours().get('added')).toBe('during-outage');
    expect(ours().get('change')).toBe('during-outage');
    expect(ours().has('remove')).toBe(false);
    expect(ours().get('keep')).toBe('seed');
    // Handlers saw exactly the changes (in whatever order the watch or relist produced them).
    expect(events.slice(eventsBeforeRestart).toSorted()).toEqual(
      ['add added', 'update change during-outage', 'delete remove'].toSorted(),
    );
    expect(informer.running).toBe(true);
    expect(crashes).toEqual([]);
  });
});
