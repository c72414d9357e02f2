import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../client/errors.ts';
import { flushLogger } from './flush-logger.ts';
import { JsonLogger, type LogDestination } from './json-logger.ts';

function capture(): {
  lines: () => Array<Record<string, unknown>>;
  raw: () => string;
  destination: LogDestination;
} {
  const chunks: string[] = [];
  return {
    destination: { write: (chunk: string) => void chunks.push(chunk) },
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const fixedTime = Date.parse('2026-01-02T03:04:05.678Z');

describe('JsonLogger', () => {
  it('writes one JSON object per line with level, time, bindings, fields and msg', () => {
    const out = capture();
    const log = new JsonLogger({
      destination: out.destination,
      now: () => fixedTime,
      bindings: { app: 'shop' },
    });
    log.info({ controller: 'orders' }, 'started');
    log.warn('plain message');
    expect(out.raw().split('\n')).toHaveLength(3);
    expect(out.lines()).toEqual([
      { level: 'info', time: '2026-01-02T03:04:05.678Z', app: 'shop', controller: 'orders', msg: 'started' },
      { level: 'warn', time: '2026-01-02T03:04:05.678Z', app: 'shop', msg: 'plain message' },
    ]);
  });

  it('filters by level', () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination, level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(out.lines().map((l) => l.msg)).toEqual(['w', 'e']);
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.isLevelEnabled('error')).toBe(true);
    const silent = capture();
    new JsonLogger({ destination: silent.destination, level: 'silent' }).error('nothing');
    expect(silent.raw()).toBe('');
  });

  it('children add bindings and share the destination and level', () => {
    const out = capture();
    const root = new JsonLogger({ destination: out.destination, level: 'debug' });
    const child = root.child({ controller: 'c' }).child({ cluster: 'root:a', reconcileID: 'r1' });
    child.debug({ namespace: 'ns' }, 'reconciling');
    root.info('root line');
    expect(out.lines()).toMatchObject([
      {
        level: 'debug',
        controller: 'c',
        cluster: 'root:a',
        reconcileID: 'r1',
        namespace: 'ns',
        msg: 'reconciling',
      },
      { level: 'info', msg: 'root line' },
    ]);
    expect(out.lines()[1]).not.toHaveProperty('controller');
  });

  it('reads and serialises a child’s bindings only when it first writes a line at an enabled level', () => {
    const out = capture();
    let reads = 0;
    const bindings = {
      get cluster(): string {
        reads++;
        return 'root:a';
      },
    };
    const root = new JsonLogger({ destination: out.destination, level: 'info' });
    const parent = root.child(bindings);
    const child = parent.child({ reconcileID: 'r1' });
    child.debug('dropped by the level');
    expect(reads).toBe(0);
    child.info('first');
    child.warn('second');
    parent.info('the parent');
    expect(reads).toBe(1);
    expect(out.lines()).toMatchObject([
      { cluster: 'root:a', reconcileID: 'r1', msg: 'first' },
      { cluster: 'root:a', reconcileID: 'r1', msg: 'second' },
      { cluster: 'root:a', msg: 'the parent' },
    ]);
  });

  it('redacts credential-named keys at any depth, in bindings and in fields', () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination, redactKeys: ['x-api-secret'] });
    log
      .child({ Authorization: 'Bearer abc.def', user: { name: 'me', 'client-key-data': 'LS0tLS1CRUdJTg==' } })
      .info(
        {
          request: { headers: { authorization: 'Basic dXNlcjpwYXNz', accept: 'json' } },
          creds: [{ password: 'hunter2' }, { clientSecret: 's3cr3t', X_API_SECRET: 'k' }],
          token: 'tok',
          secretName: 'db-credentials',
        },
        'calling',
      );
    const [line] = out.lines();
    expect(line).toMatchObject({
      Authorization: '[REDACTED]',
      user: { name: 'me', 'client-key-data': '[REDACTED]' },
      request: { headers: { authorization: '[REDACTED]', accept: 'json' } },
      creds: [{ password: '[REDACTED]' }, { clientSecret: '[REDACTED]', X_API_SECRET: '[REDACTED]' }],
      token: '[REDACTED]',
      secretName: 'db-credentials',
    });
    expect(out.raw()).not.toMatch(/abc\.def|LS0tLS1|dXNlcjpwYXNz|hunter2|s3cr3t/);
  });

  it('scrubs bearer tokens and JWTs from messages and string values', () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJl';
    log.error(
      { detail: `header was Bearer ${jwt}` },
      'request failed with Authorization: Bearer sk-live-123456',
    );
    const [line] = out.lines();
    expect(line?.msg).toBe('request failed with Authorization: Bearer [REDACTED]');
    expect(line?.detail).toBe('header was Bearer [REDACTED]');
    expect(out.raw()).not.toContain('sk-live-123456');
    expect(out.raw()).not.toContain('eyJzdWIiOiJtZSJ9');
  });

  it('serialises errors, including an error passed as the only argument', () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination });
    const apiError = new ApiError({
      code: 409,
      status: { reason: 'Conflict', message: 'stale' },
      method: 'PUT',
      url: 'http://x/leases/a',
    });
    log.error({ err: apiError }, 'renew failed');
    log.error(new Error('boom token=abcdefgh', { cause: new Error('inner') }));
    const [first, second] = out.lines();
    expect(first?.error).toMatchObject({
      type: 'ApiError',
      reason: 'Conflict',
      message: expect.stringContaining('409 Conflict'),
    });
    expect(second).toMatchObject({
      msg: 'boom token=[REDACTED]',
      error: { type: 'Error', message: 'boom token=[REDACTED]', cause: { type: 'Error', message: 'inner' } },
    });
    expect((second?.error as { stack?: string } | undefined)?.stack).toContain('json-logger.test.ts');
  });

  it("writes a pino-style err field under controller-runtime's key error, still redacted, in its place", () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination });
    log.child({ err: new Error('bound token=abcdefgh') }).warn('child');
    log.warn({ lease: 'a', err: new Error('renew failed: Bearer sk-live-123456'), attempt: 2 }, 'renew');
    log.warn({ err: 'first', error: 'second' }, 'both');
    const [child, renew, both] = out.lines();
    expect(child?.error).toMatchObject({ message: 'bound token=[REDACTED]' });
    expect(Object.keys(renew ?? {})).toEqual(['level', 'time', 'lease', 'error', 'attempt', 'msg']);
    expect(renew?.error).toMatchObject({ type: 'Error', message: 'renew failed: Bearer [REDACTED]' });
    expect(both).toMatchObject({ err: 'first', error: 'second' });
    expect(out.raw()).not.toMatch(/abcdefgh|sk-live-123456/);
  });

  it('survives cycles, bigints, functions and a throwing destination', () => {
    const out = capture();
    const log = new JsonLogger({ destination: out.destination });
    const cyclic: Record<string, unknown> = { n: 1n, f: () => 1 };
    cyclic.self = cyclic;
    log.info({ cyclic }, 'x');
    expect(out.lines()[0]).toEqual(expect.objectContaining({ cyclic: { n: '1', self: '[Circular]' } }));
    const broken = new JsonLogger({
      destination: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => broken.info('still fine')).not.toThrow();
  });

  it('flush waits for pending writes of a slow stream', async () => {
    const written: string[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, callback) {
        setTimeout(() => {
          written.push(chunk.toString());
          callback();
        }, 5);
      },
    });
    const log = new JsonLogger({ destination: slow });
    for (let i = 0; i < 5; i++) log.info(`line ${i}`);
    expect(written.length).toBeLessThan(5);
    await flushLogger(log);
    expect(written.filter((c) => c.length > 0)).toHaveLength(5);
  });

  it('flushLogger ignores loggers without flush and never hangs on one that does not call back', async () => {
    await flushLogger({
      debug() {},
      info() {},
      warn() {},
      error() {},
      child: () => {
        throw new Error('unused');
      },
    });
    const started = Date.now();
    await flushLogger(
      {
        debug() {},
        info() {},
        warn() {},
        error() {},
        child: () => {
          throw new Error('unused');
        },
        flush: () => {},
      } as never,
      30,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
