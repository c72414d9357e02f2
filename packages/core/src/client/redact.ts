/**
 * Secret scrubbing for text that may reach a log or an error message: credential plugins and servers
 * sometimes echo what they were given.
 */

/** Marker that replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Names that introduce a secret in `name: value`, `name=value` or `"name": "value"` form. */
const secretNames =
  '(?:token|password|passwd|secret|client-key-data|client-certificate-data|api[-_ ]?key|access[-_]key)';

/** A pattern whose first group is kept and the rest replaced, optionally only when the rest looks like a secret. */
interface SecretPattern {
  pattern: RegExp;
  looksSecret?: (candidate: string) => boolean;
}

const patterns: SecretPattern[] = [
  // PEM private keys, whole blocks (a plugin that dumps its key file).
  { pattern: /()-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { pattern: /(bearer\s+)[^\s"',;]+/gi },
  { pattern: /(basic\s+)[A-Za-z0-9+/=]{8,}/gi },
  // JSON Web Tokens (service-account and OIDC tokens).
  { pattern: /()eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g },
  // `token=X`, `password: X`, `secret=X`, `"client-key-data": "X"`, `refresh token: X`, `clientSecret=X`.
  { pattern: new RegExp(`("?[\\w-]*${secretNames}"?\\s*[:=]\\s*"?)[^\\s"',}]+`, 'gi') },
  // Prose such as `refresh token X` or `password X`: only when X looks generated (a digit in 8+ characters),
  // so that `refresh token expired` stays readable.
  {
    pattern: /(\b(?:(?:refresh|access|id|bearer|session)[-_ ]?token|password|secret)\s+)[\w.~+/=-]{8,}/gi,
    looksSecret: (candidate) => /\d/.test(candidate),
  },
  // Long base64 / base64url runs that look random: keys, certificates, opaque tokens. Random base64 is about
  // 40 % upper case, while file paths, Kubernetes names and hex hashes have little or none, so they survive.
  { pattern: /()[A-Za-z0-9+/_-]{32,}={0,2}/g, looksSecret: looksRandom },
];

/** Whether a long run of base64 characters mixes cases and digits as generated data does. */
function looksRandom(candidate: string): boolean {
  const count = (re: RegExp): number => candidate.match(re)?.length ?? 0;
  const share = candidate.length * 0.15;
  return count(/[A-Z]/g) >= share && count(/[a-z]/g) >= share && count(/\d/g) >= 1;
}

/**
 * Replaces anything that looks like a credential in `text`, plus each of the exact `secrets` given
 * (e.g. the token currently in use), with {@link REDACTED}. Recognised: bearer and basic credentials, JWTs,
 * PEM private keys, `name: value` / `name=value` pairs whose name says token, password, secret or key,
 * prose such as `refresh token X`, and long base64 strings.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const { pattern, looksSecret } of patterns) {
    out = out.replace(pattern, (match: string, prefix: string) => {
      const candidate = match.slice(prefix.length);
      if (candidate === REDACTED || (looksSecret && !looksSecret(candidate))) return match;
      return `${prefix}${REDACTED}`;
    });
  }
  return out;
}
