import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from './redact.ts';

describe('redact: forms credential plugins print', () => {
  it.each([
    ['refresh token X', 'error: could not use refresh token 1//0gAbCdEf-12345xyz', '1//0gAbCdEf-12345xyz'],
    ['password: X', 'login failed, password: hunter2-Secret', 'hunter2-Secret'],
    ['secret=X', 'oidc: client secret=s3cr3t-value rejected', 's3cr3t-value'],
    ['clientSecret=X', 'config clientSecret=abcdef123', 'abcdef123'],
    ['"secret": "X"', '{"secret": "plain words"}', 'plain'],
    ['api key X', 'api-key: AKIA1234567890', 'AKIA1234567890'],
    [
      'long base64',
      'cache entry dGhpcyBpcyBhIHZlcnkgbG9uZyBiYXNlNjQgU0VDUkVUIHRva2VuMTIz trailing',
      'dGhpcyBpcyBhIHZlcnkgbG9uZyBiYXNlNjQgU0VDUkVUIHRva2VuMTIz',
    ],
    [
      'JWT',
      'got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl from cache',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl',
    ],
    [
      'PEM private key',
      'wrote -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBb4\n-----END EC PRIVATE KEY----- to disk',
      'MHcCAQEEIBb4',
    ],
  ])('%s', (_form, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps what only resembles a secret readable', () => {
    for (const text of [
      'refresh token expired; run `login` again',
      'GET https://127.0.0.1:6443/api/v1/namespaces/default/configmaps/missing: 404 NotFound',
      'secrets "db-credentials" is forbidden: User "system:anonymous" cannot get resource "secrets"',
      'fingerprint 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed',
      'could not obtain credentials: exec plugin "/bin/login" did not finish within 5000 ms',
      'exec credential plugin "/tmp/kubeloom-exec-plugin-Nwmf13/hangs-then-works.sh" exited',
      '/home/AliceSmith2/Projects/kubeloom-Controller-Runtime/bin/get-token',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });
});
