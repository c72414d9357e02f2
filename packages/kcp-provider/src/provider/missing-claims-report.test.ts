import { type Logger, newMetricsRegistry } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import type { APIBinding } from '../apis/apis.ts';
import { MISSING_CLAIMS_METRIC, MissingClaimsReport } from './missing-claims-report.ts';
import type { MissingPermissionClaim } from './permission-claims.ts';

function levels(lines: string[]): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    lines.push(`${level}: ${typeof obj === 'string' ? obj : msg}`);
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

const binding: APIBinding = {
  metadata: { name: 'b', annotations: { 'kcp.io/cluster': 'c1' } },
  spec: { reference: { export: { name: 'e' } } },
};
const claim = (resource: string): MissingPermissionClaim => ({
  group: '',
  resource,
  identityHash: '',
  reason: 'rejected',
});

describe('MissingClaimsReport', () => {
  it('warns once per binding and again only when the set changes; the gauge follows and goes when resolved', async () => {
    const lines: string[] = [];
    const registry = newMetricsRegistry({ defaultMetrics: false });
    const report = new MissingClaimsReport(levels(lines), registry, false);
    const series = async () =>
      (await registry.getSingleMetricAsString(MISSING_CLAIMS_METRIC)).split('\n').slice(2);

    report.observe(binding, [claim('secrets')]);
    report.observe(binding, [claim('secrets')]);
    expect(await series()).toEqual([
      'kubeloom_kcp_binding_missing_claims{cluster="c1",workspace="",binding="b"} 1',
    ]);
    report.observe(binding, [claim('secrets'), claim('configmaps')]);
    expect(await series()).toEqual([
      'kubeloom_kcp_binding_missing_claims{cluster="c1",workspace="",binding="b"} 2',
    ]);
    report.observe(binding, []);
    report.observe(binding, []);
    expect(await series()).toEqual([]);
    expect(lines.map((l) => l.replace(/Accept them.*$/, '…'))).toEqual([
      'warn: APIBinding "b" in logical cluster c1 does not accept permission claims the controllers need: secrets.core (rejected). …',
      'warn: APIBinding "b" in logical cluster c1 does not accept permission claims the controllers need: secrets.core (rejected), configmaps.core (rejected). …',
      'info: APIBinding "b" in logical cluster c1 now accepts every permission claim the controllers need',
    ]);
    // A second provider reporting into the same registry shares the gauge.
    expect(() => new MissingClaimsReport(levels([]), registry, true)).not.toThrow();
  });
});
