import { describe, expect, it } from 'vitest';
import { LabelSelectorError, formatLabelSelector, parseLabelSelector } from './label-selector.ts';
import { REDACTED, redact } from './redact.ts';
import { defineResource, resourcePath } from './resource.ts';
import { defaultRetryPolicy, isRetryable, retryDelayMs } from './retry.ts';

describe('redact', () => {
  it('removes bearer tokens, JWTs, key=value secrets and explicit secrets', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    const text = `Authorization: Bearer abc.def token=s3cr3t {"password":"hunter2"} ${jwt} my-own-secret-value`;
    const out = redact(text, ['my-own-secret-value']);
    for (const secret of ['abc.def', 's3cr3t', 'hunter2', jwt, 'my-own-secret-value'])
      expect(out).not.toContain(secret);
    expect(out.split(REDACTED).length - 1).toBe(5);
  });
});

describe('label selectors', () => {
  const labels = { app: 'shop', tier: 'web', env: 'prod' };
  it.each([
    ['', true],
    ['app=shop', true],
    ['app==shop,tier=web', true],
    ['app!=shop', false],
    ['missing!=x', true],
    ['env in (prod, staging)', true],
    ['env notin (prod)', false],
    ['tier', true],
    ['!tier', false],
    ['!legacy,app in (shop),tier notin (db)', true],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });
  it('rejects garbage with a message that names it', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector('a b c')).toThrow(/cannot parse "a b c"/);
  });
  it('formats structured selectors', () => {
    expect(
      formatLabelSelector({
        matchLabels: { a: '1' },
        matchExpressions: [{ key: 'b', operator: 'In', values: ['x', 'y'] }],
      }),
    ).toBe('a=1,b in (x,y)');
  });
});

describe('resourcePath', () => {
  const widgets = defineResource({
    group: 'example.io',
    version: 'v1',
    kind: 'Widget',
    plural: 'widgets',
    namespaced: true,
  });
  const nodes = defineResource({
    group: '',
    version: 'v1',
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
  });
  it('builds group, namespace, name and subresource segments', () => {
    expect(resourcePath(widgets)).toBe('/apis/example.io/v1/widgets');
    expect(resourcePath(widgets, { namespace: 'a b', name: 'w', subresource: 'status' })).toBe(
      '/apis/example.io/v1/namespaces/a%20b/widgets/w/status',
    );
    expect(resourcePath(nodes, { namespace: 'ignored', name: 'n1' })).toBe('/api/v1/nodes/n1');
    expect(() => resourcePath(nodes, { name: '' })).toThrow(/empty name/);
  });
});

describe('retry policy', () => {
  it('retries 429 for any verb and 5xx only for safe verbs', () => {
    expect(isRetryable('POST', 429)).toBe(true);
    expect(isRetryable('GET', 503)).toBe(true);
    expect(isRetryable('POST', 503)).toBe(false);
    expect(isRetryable('GET', 501)).toBe(false);
    expect(isRetryable('GET', 404)).toBe(false);
  });
  it('prefers Retry-After (seconds or date), else backs off exponentially, capped', () => {
    expect(retryDelayMs(0, '2', defaultRetryPolicy)).toBe(2000);
    expect(retryDelayMs(0, new Date(10_000).toUTCString(), defaultRetryPolicy, 7_000)).toBe(3000);
    expect(retryDelayMs(0, '3600', defaultRetryPolicy)).toBe(defaultRetryPolicy.maxDelayMs);
    const third = retryDelayMs(2, undefined, defaultRetryPolicy);
    expect(third).toBeGreaterThanOrEqual(640);
    expect(third).toBeLessThanOrEqual(960);
  });
});
