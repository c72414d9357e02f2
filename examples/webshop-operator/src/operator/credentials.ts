/**
 * The shop's credentials: read from the Secrets the database and observability teams put into the tenant's
 * workspace, and handed to the workload as one Secret on the compute cluster. Values stay base64 as they
 * came and are never logged; only key names appear in messages.
 */
import { createHash } from 'node:crypto';
import type { Secret } from '@kubeloom/core';

/** Environment variable → key of the Postgres credentials Secret (`<n>-db-app`, CloudNativePG's keys). */
const DATABASE_KEYS = {
  DATABASE_USER: 'username',
  DATABASE_PASSWORD: 'password',
  DATABASE_HOST: 'host',
  DATABASE_PORT: 'port',
  DATABASE_NAME: 'dbname',
  DATABASE_URL: 'uri',
} as const;

/** Keys of the Postgres Secret without which the shop cannot connect. */
const REQUIRED_DATABASE_KEYS = ['username', 'password', 'host'] as const;

/** Environment variable → key of the Elasticsearch credentials Secret (`<n>-search-es-elastic-user`, ECK's keys). */
const SEARCH_KEYS = { ELASTICSEARCH_USERNAME: 'username', ELASTICSEARCH_PASSWORD: 'elastic' } as const;

/** The credentials Secret's data (environment variable → base64 value), or what is missing. */
export type CredentialsResult = { data: Record<string, string> } | { missingKeys: string[] };

/** The shop's database credentials from the tenant's Postgres Secret. */
export function databaseCredentials(secret: Secret): CredentialsResult {
  const source = secret.data ?? {};
  const missingKeys = REQUIRED_DATABASE_KEYS.filter((key) => !source[key]);
  if (missingKeys.length > 0) return { missingKeys };
  const data: Record<string, string> = {};
  for (const [env, key] of Object.entries(DATABASE_KEYS)) {
    const value = source[key];
    if (value) data[env] = value;
  }
  return { data };
}

/** The shop's search credentials from the tenant's Elasticsearch Secret and the instance's URL. */
export function searchCredentials(secret: Secret, url: string): CredentialsResult {
  const source = secret.data ?? {};
  const missingKeys = Object.values(SEARCH_KEYS).filter((key) => !source[key]);
  if (missingKeys.length > 0) return { missingKeys };
  const data: Record<string, string> = { ELASTICSEARCH_URL: Buffer.from(url).toString('base64') };
  for (const [env, key] of Object.entries(SEARCH_KEYS)) data[env] = source[key] as string;
  return { data };
}

/**
 * A digest of credentials data, put on the pod template so that rotated credentials roll the pods (an
 * environment variable from a Secret is read only when a container starts). Not reversible.
 */
export function credentialsDigest(data: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).toSorted()) hash.update(`${key}=${data[key]}\n`);
  return hash.digest('hex').slice(0, 16);
}
