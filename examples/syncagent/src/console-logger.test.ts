import { describe, expect, it } from 'vitest';
import { ConsoleLogger } from './console-logger.ts';

describe('ConsoleLogger', () => {
  it('writes time, level, message and redacted fields as tab-separated lines', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({
      level: 'info',
      destination: { write: (chunk: string) => lines.push(chunk) > 0 },
      now: () => Date.UTC(2026, 0, 1, 10),
    });
    const child = logger.child({ controller: 'syncagent-sync-x' });
    child.info({ copy: 'ns/kcp', password: 'hunter2' }, 'created the service-cluster copy');
    child.debug('not written below info');
    logger.warn('plain message');
    logger.error({ err: new Error('boom') }, 'reconcile failed');
    expect(lines[0]).toBe(
      '2026-01-01T10:00:00.000Z\tINFO\tcreated the service-cluster copy\t{"controller":"syncagent-sync-x","copy":"ns/kcp","password":"[REDACTED]"}\n',
    );
    expect(lines[1]).toBe('2026-01-01T10:00:00.000Z\tWARN\tplain message\n');
    expect(lines[2]).toMatch(
      /^2026-01-01T10:00:00.000Z\tERROR\treconcile failed\t\{"error":\{.*"message":"boom"/,
    );
    expect(lines).toHaveLength(3);
  });
});
