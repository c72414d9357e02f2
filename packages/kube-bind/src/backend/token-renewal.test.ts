import { describe, expect, it } from 'vitest';
import { MIN_TOKEN_LIFETIME_SECONDS, tokenRenewalDelayMs } from './konnector-credentials.ts';

const lifetime = MIN_TOKEN_LIFETIME_SECONDS;
const issuedAt = Date.parse('2026-01-01T00:00:00Z');
const expiresAt = issuedAt + lifetime * 1000;

describe('konnector token renewal timing', () => {
  it('renews at once when there is no token, or its expiry cannot be read', () => {
    expect(tokenRenewalDelayMs(undefined, issuedAt, lifetime)).toBe(0);
    expect(tokenRenewalDelayMs(Number.NaN, issuedAt, lifetime)).toBe(0);
  });

  it('waits until half of the lifetime has passed: 5 of the shortest 10 minutes', () => {
    expect(tokenRenewalDelayMs(expiresAt, issuedAt, lifetime)).toBe(300_000);
    expect(tokenRenewalDelayMs(expiresAt, issuedAt + 299_999, lifetime)).toBe(1);
    expect(tokenRenewalDelayMs(expiresAt, issuedAt + 300_000, lifetime)).toBe(0);
  });

  it('renews at once when the clock is past half-life or past expiry (a backend that was down)', () => {
    expect(tokenRenewalDelayMs(expiresAt, issuedAt + 400_000, lifetime)).toBe(0);
    expect(tokenRenewalDelayMs(expiresAt, expiresAt + 60_000, lifetime)).toBe(0);
  });

  it('waits longer for a token that lives longer than the renewal period the backend is set to', () => {
    // A token issued with an hour's lifetime, read by a backend now set to 10 minutes: renewed 5 minutes
    // before it expires, not 55 minutes early.
    const longExpiry = issuedAt + 3_600_000;
    expect(tokenRenewalDelayMs(longExpiry, issuedAt, lifetime)).toBe(3_300_000);
  });
});
