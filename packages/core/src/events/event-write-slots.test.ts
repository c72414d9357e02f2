import { describe, expect, it } from 'vitest';
import { EventResource } from '../client/builtins.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ClientEventRecorder } from './client-event-recorder.ts';
import { EVENT_WRITES_PER_POOL, WriteSlots, eventWriteSlots } from './event-write-slots.ts';

/** A write that settles when the test says so. */
function heldWrite(): { write: () => Promise<string>; release: (ok: boolean) => void; started: boolean } {
  const held = {
    started: false,
    release: (_ok: boolean) => {},
    write: () =>
      new Promise<string>((resolve, reject) => {
        held.started = true;
        held.release = (ok) => (ok ? resolve('done') : reject(new Error('refused')));
      }),
  };
  return held;
}

describe('WriteSlots', () => {
  it('runs at most its limit at once, starts waiters in order, and frees a slot whatever the outcome', async () => {
    const slots = new WriteSlots(2);
    const writes = [heldWrite(), heldWrite(), heldWrite(), heldWrite()];
    const results = writes.map((w) => slots.run(w.write).catch((e: Error) => e.message));
    expect(writes.map((w) => w.started)).toEqual([true, true, false, false]);
    expect([slots.running, slots.waiting]).toEqual([2, 2]);

    writes[1]?.release(false); // a failed write frees its slot too
    await expect(results[1]).resolves.toBe('refused');
    expect(writes.map((w) => w.started)).toEqual([true, true, true, false]);

    writes[0]?.release(true);
    await expect(results[0]).resolves.toBe('done');
    expect(writes.map((w) => w.started)).toEqual([true, true, true, true]);
    expect([slots.running, slots.waiting]).toEqual([2, 0]);

    writes[2]?.release(true);
    writes[3]?.release(true);
    await Promise.all(results);
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });
});

describe('Event writes across recorders', { timeout: 30_000 }, () => {
  it('are bounded per connection pool, so a fleet recording at once does not open a connection per 100 writes', async () => {
    const server = await FakeApiServer.start({ resources: [EventResource] });
    try {
      const base = server.client();
      const clusters = 3 * EVENT_WRITES_PER_POOL;
      // One recorder per cluster, as providers make them, each through a client derived from one base.
      const recorders = Array.from(
        { length: clusters },
        (_, i) => new ClientEventRecorder(base.withServer(server.url), { component: `c${i}` }),
      );
      recorders.forEach((recorder, i) =>
        recorder.record(
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `cm-${i}`, namespace: 'default', uid: `u${i}` },
          },
          { type: 'Normal', reason: 'Reconciled', message: `cluster ${i}` },
        ),
      );
      const slots = eventWriteSlots(base.rest.pool);
      expect([slots.running, slots.waiting]).toEqual([
        EVENT_WRITES_PER_POOL,
        clusters - EVENT_WRITES_PER_POOL,
      ]);

      await Promise.all(recorders.map((r) => r.flush()));
      expect([slots.running, slots.waiting]).toEqual([0, 0]);
      const events = await base.list(EventResource, { namespace: 'default' });
      const messages = events.items.map((e) => e.message);
      expect(messages).toHaveLength(clusters);
      expect(new Set(messages)).toEqual(new Set(Array.from({ length: clusters }, (_, i) => `cluster ${i}`)));
    } finally {
      await server.stop();
    }
  });
});
