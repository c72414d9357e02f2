import { randomBytes } from 'node:crypto';

/**
 * A fresh random password, as the real operators generate one per instance. It goes only into Secrets;
 * nothing logs it.
 */
export function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}
