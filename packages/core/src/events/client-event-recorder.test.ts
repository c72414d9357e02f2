import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigMap, type Event, EventResource, type Namespace } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import type { Logger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ClientEventRecorder } from './client-event-recorder.ts';

const configMap: ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop', uid: 'uid-1', resourceVersion: '7' },
};

function memoryLogger(): { logger: Logger; warnings: Array<{ obj: unknown; msg: string | undefined }> } {
  const warnings: Array<{ obj: unknown; msg: string | undefined }> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => void warnings.push({ obj, msg }),
    error: (obj, msg) => void warnings.push({ obj, msg }),
    child: () => logger,
  };
  return { logger, warnings };
}

// On a loaded machine (CI runs the unit and e2e files side by side) these take several times as long as
// alone; the waits inside them are the bounds, not vitest's 5 s default.
describe('ClientEventRecorder', { timeout: 30_000 }, () => {
  let server: FakeApiServer;
  let client: Client;
  let now: number;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [EventResource] });
    client = server.client();
    now = Date.parse('2026-03-01T10:00:00.000Z');
  });
  afterEach(async () => {
    await server.stop();
  });

  const recorder = (extra: Partial<ConstructorParameters<typeof ClientEventRecorder>[1]> = {}) =>
    new ClientEventRecorder(client, { component: 'shop-operator', host: 'pod-1', now: () => now, ...extra });

  it('aggregates repeats of at most maxTracked distinct Events; older ones start a new Event', async () => {
    const events = recorder({ maxTracked: 2 });
    const repeat = (reason: string): void =>
      events.record(configMap, { type: 'Normal', reason, message: `${reason} happened` });
    repeat('First');
    repeat('Second');
    await events.flush();
    repeat('Second');
    repeat('Third'); // pushes First out
    repeat('First');
    await events.flush();
    const counts = server
      .objects<Event>(EventResource, { namespace: 'shop' })
      .map((e) => `${e.reason}:${e.count}`)
      .toSorted();
    expect(counts).toEqual(['First:1', 'First:1', 'Second:2', 'Third:1']);
  });

  it('creates a core/v1 Event about the object', async () => {
    const events = recorder();
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'all good' });
    await events.flush();
    const [event, ...rest] = server.objects<Event>(EventResource, { namespace: 'shop' });
    expect(rest).toHaveLength(0);
    expect(event?.metadata?.name).toMatch(/^settings\.[0-9a-f]{16}$/);
    expect(event).toMatchObject({
      involvedObject: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'settings',
        namespace: 'shop',
        uid: 'uid-1',
        resourceVersion: '7',
      },
      type: 'Normal',
      reason: 'Synced',
      action: 'Synced',
      message: 'all good',
      count: 1,
      firstTimestamp: '2026-03-01T10:00:00Z',
      lastTimestamp: '2026-03-01T10:00:00Z',
      source: { component: 'shop-operator', host: 'pod-1' },
      reportingComponent: 'shop-operator',
      reportingInstance: 'pod-1',
    });
  });

  it('aggregates repeats within the window by patching count, and coalesces concurrent repeats', async () => {
    const events = recorder();
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    await events.flush();
    now += 1000;
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    now += 1000;
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    await events.flush();
    const stored = server.objects<Event>(EventResource, { namespace: 'shop' });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      count: 4,
      firstTimestamp: '2026-03-01T10:00:00Z',
      lastTimestamp: '2026-03-01T10:00:02Z',
    });
    const writes = server.requests.filter((r) => r.path.includes('/events') && r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH']);
  });

  it('creates a new Event for another message, another object, or after the window', async () => {
    const events = recorder({ aggregationWindowMs: 60_000 });
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'disk full' });
    events.record(
      { ...configMap, metadata: { ...configMap.metadata, name: 'other', uid: 'uid-2' } },
      {
        type: 'Warning',
        reason: 'Failed',
        message: 'db down',
      },
    );
    await events.flush();
    now += 61_000;
    events.record(configMap, { type: 'Warning', reason: 'Failed', message: 'db down' });
    await events.flush();
    const stored = server.objects<Event>(EventResource, { namespace: 'shop' });
    expect(stored).toHaveLength(4);
    expect(stored.every((e) => e.count === 1)).toBe(true);
  });

  it('puts events about cluster-scoped objects into the default namespace', async () => {
    const events = recorder();
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns-uid' } };
    events.record(ns, { type: 'Normal', reason: 'Created', message: 'namespace ready' });
    await events.flush();
    const [event] = server.objects<Event>(EventResource, { namespace: 'default' });
    expect(event?.involvedObject).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'shop',
      uid: 'ns-uid',
    });
  });

  it('starts a new Event when the aggregated one was deleted on the server', async () => {
    const events = recorder();
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' });
    await events.flush();
    const [first] = server.objects<Event>(EventResource, { namespace: 'shop' });
    await client.delete(EventResource, first?.metadata?.name ?? '', { namespace: 'shop' });
    now += 1000;
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' });
    await events.flush();
    const stored = server.objects<Event>(EventResource, { namespace: 'shop' });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.metadata?.name).not.toBe(first?.metadata?.name);
    expect(stored[0]?.count).toBe(1);
  });

  it('tries a write refused with 403 again before giving up: the refusal of a just-engaged cluster passes', async () => {
    const { logger, warnings } = memoryLogger();
    const events = recorder({ logger, forbiddenRetryDelaysMs: [10, 10] });
    server.faults.failNext({ status: 403, match: { method: 'POST', path: '/events' } });
    server.faults.failNext({ status: 403, match: { method: 'POST', path: '/events' } });
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' });
    await events.flush();
    expect(server.objects<Event>(EventResource)).toMatchObject([{ count: 1 }]);
    expect(warnings).toEqual([]);
  });

  it('never throws: failures are logged, and the next occurrence tries again', async () => {
    const { logger, warnings } = memoryLogger();
    const events = recorder({ logger, forbiddenRetryDelaysMs: [] });
    server.faults.failNext({ status: 403, match: { method: 'POST', path: '/events' } });
    expect(() => events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' })).not.toThrow();
    await events.flush();
    expect(server.objects(EventResource)).toHaveLength(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('could not record event');
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' });
    await events.flush();
    expect(server.objects<Event>(EventResource)).toMatchObject([{ count: 1 }]);
    events.record({ kind: 'ConfigMap' }, { type: 'Normal', reason: 'X', message: 'no name' });
    expect(warnings).toHaveLength(2);
  });

  it('stops recording once its signal aborts', async () => {
    const controller = new AbortController();
    const events = recorder({ signal: controller.signal });
    controller.abort();
    events.record(configMap, { type: 'Normal', reason: 'Synced', message: 'ok' });
    await events.flush();
    expect(server.requests.filter((r) => r.path.includes('/events'))).toHaveLength(0);
  });
});
