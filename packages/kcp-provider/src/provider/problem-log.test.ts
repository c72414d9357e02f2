import { describe, expect, it } from 'vitest';
import type { Logger } from '@kubeloom/core';
import { LogThrottle, ProblemLog } from './problem-log.ts';

function recordingLogger(lines: string[]): Logger {
  const line = (level: string) => (obj: object | string, msg?: string) =>
    lines.push(`${level} ${typeof obj === 'string' ? obj : msg}`);
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: () => logger,
  };
  return logger;
}

describe('ProblemLog', () => {
  it('logs a problem once, again with doubling delays while it persists, and its resolution once', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new ProblemLog(recordingLogger(lines), {
      firstRepeatMs: 10,
      maxRepeatMs: 40,
      now: () => now,
    });
    for (now = 0; now <= 200; now += 1) log.update('slice missing');
    // At 0, then after 10, 20, 40 and 40 (capped) ms: 0, 10, 30, 70, 110, 150, 190.
    expect(lines).toEqual(Array(7).fill('error slice missing'));
    lines.length = 0;
    log.update('forbidden');
    log.update('forbidden');
    log.update(undefined);
    log.update(undefined);
    expect(lines).toEqual(['error forbidden', 'info resolved; the provider is ready again']);
    expect(log.current).toBeUndefined();
  });
});

describe('LogThrottle', () => {
  it('allows a key at once, then after doubling delays, and each key on its own', () => {
    let now = 0;
    const throttle = new LogThrottle({ firstRepeatMs: 10, maxRepeatMs: 40, now: () => now });
    const allowed: number[] = [];
    for (now = 0; now <= 120; now += 1) if (throttle.allow('a')) allowed.push(now);
    expect(allowed).toEqual([0, 10, 30, 70, 110]);
    expect(throttle.allow('b')).toBe(true);
  });
});
