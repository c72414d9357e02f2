import { describe, expect, it } from 'vitest';
import { parseBindAddress, sameBindAddress } from './bind-address.ts';
import { HealthChecks } from './health-checks.ts';

describe('parseBindAddress', () => {
  it('parses controller-runtime style addresses', () => {
    expect(parseBindAddress(':8081', 'x')).toEqual({ host: undefined, port: 8081 });
    expect(parseBindAddress('127.0.0.1:0', 'x')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:9090', 'x')).toEqual({ host: '::1', port: 9090 });
    expect(parseBindAddress('localhost:8080', 'x')).toEqual({ host: 'localhost', port: 8080 });
  });

  it('treats "", "0" and undefined as disabled', () => {
    expect(parseBindAddress(undefined, 'x')).toBeUndefined();
    expect(parseBindAddress('', 'x')).toBeUndefined();
    expect(parseBindAddress('0', 'x')).toBeUndefined();
  });

  it('rejects malformed addresses naming the option', () => {
    expect(() => parseBindAddress('8080', 'metricsBindAddress')).toThrow(/metricsBindAddress "8080"/);
    expect(() => parseBindAddress('host:99999', 'x')).toThrow(/not a bind address/);
    expect(() => parseBindAddress('::1:80', 'x')).toThrow(/not a bind address/);
  });

  it('shares a server only for identical fixed ports', () => {
    expect(sameBindAddress(parseBindAddress(':8080', 'x'), parseBindAddress(':8080', 'y'))).toBe(true);
    expect(sameBindAddress(parseBindAddress('127.0.0.1:0', 'x'), parseBindAddress('127.0.0.1:0', 'y'))).toBe(
      false,
    );
    expect(sameBindAddress(parseBindAddress(':8080', 'x'), undefined)).toBe(false);
  });
});

describe('HealthChecks', () => {
  it('reports every check Kubernetes-style and fails on false, throw, rejection or timeout', async () => {
    const checks = new HealthChecks('readyz');
    checks.add('fine', () => undefined);
    checks.add('false', () => false);
    checks.add('throws', () => {
      throw new Error('cache not synced');
    });
    checks.add('hangs', () => new Promise<void>(() => {}));
    expect(() => checks.add('fine', () => true)).toThrow(/already exists/);
    const report = await checks.run(20);
    expect(report.ok).toBe(false);
    expect(report.lines).toEqual([
      '[+]fine ok',
      '[-]false failed: reason withheld',
      '[-]throws failed: cache not synced',
      '[-]hangs failed: no answer within 20 ms',
      'readyz check failed',
    ]);
    const healthy = new HealthChecks('healthz');
    healthy.add('ping', async () => true);
    expect(await healthy.run()).toEqual({ ok: true, lines: ['[+]ping ok', 'healthz check passed'] });
  });
});
