import { describe, expect, it } from 'vitest';
import { EventResource } from '../client/builtins.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ClientEventRecorder } from './client-event-recorder.ts';
import { EVENT_WRITES_PER_POOL, eventWriteQueue } from './event-write-queue.ts';

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
      const queue = eventWriteQueue(base.rest.pool);
      expect([queue.pending, queue.size]).toEqual([EVENT_WRITES_PER_POOL, clusters - EVENT_WRITES_PER_POOL]);
      // Another pool (another credential or server) has a queue of its own.
      expect(eventWriteQueue(server.client().rest.pool)).not.toBe(queue);

      await Promise.all(recorders.map((r) => r.flush()));
      expect([queue.pending, queue.size]).toEqual([0, 0]);
      const events = await base.list(EventResource, { namespace: 'default' });
      const messages = events.items.map((e) => e.message);
      expect(messages).toHaveLength(clusters);
      expect(new Set(messages)).toEqual(new Set(Array.from({ length: clusters }, (_, i) => `cluster ${i}`)));
    } finally {
      await server.stop();
    }
  });
});
