/**
 * The hash helpers upstream's templates and naming rules use. They decide local object names, so they
 * must produce exactly upstream's strings (see the naming test vector in naming.test.ts).
 */
import { createHash } from 'node:crypto';

/** SHA3-256 of the input, 64 lowercase hex characters (upstream template function `sha3sum`). */
export function sha3sum(input: string): string {
  return createHash('sha3-256').update(input, 'utf8').digest('hex');
}

/**
 * The first `length` (default 20, capped at 64) hex characters of {@link sha3sum} (upstream `sha3short`).
 * Throws for a length below 1, as upstream does.
 */
export function sha3short(input: string, length = 20): string {
  if (!Number.isInteger(length) || length <= 0) {
    throw new RangeError(`sha3short: invalid length ${length}`);
  }
  return sha3sum(input).slice(0, length);
}

/** SHA-1 hex of the input (upstream's hash for labels and state keys). */
export function sha1Hex(input: string): string {
  return createHash('sha1').update(input, 'utf8').digest('hex');
}

/** The first 20 hex characters of SHA-1 (upstream's legacy `shortHash`, used by `$remoteNameHash`). */
export function shortHash(input: string): string {
  return sha1Hex(input).slice(0, 20);
}
