/**
 * Secret scrubbing for text that may reach a log or an error message: credential plugins and servers
 * sometimes echo what they were given.
 */

const patterns: RegExp[] = [
  /(bearer\s+)[^\s"',;]+/gi,
  /(basic\s+)[A-Za-z0-9+/=]{8,}/gi,
  // JSON Web Tokens (service-account and OIDC tokens).
  /()eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g,
  /("?(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access_token)"?\s*[:=]\s*"?)[^\s"',}]+/gi,
];

/** Marker that replaces a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces anything that looks like a credential in `text`, plus each of the exact `secrets` given
 * (e.g. the token currently in use), with {@link REDACTED}.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of patterns) {
    out = out.replace(pattern, (_m, prefix: string) => `${prefix}${REDACTED}`);
  }
  return out;
}
