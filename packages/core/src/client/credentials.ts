import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, describeCause } from './errors.ts';
import { type KubeConfigSource, loadKubeConfig } from './kubeconfig.ts';
import { redact } from './redact.ts';

/** TLS material for connections to one server. */
export interface TlsMaterial {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** What a request needs from a credential: headers to send and TLS material for the connection. */
export interface ResolvedCredentials {
  /** Request headers such as `Authorization` and `Impersonate-User`. Never log these. */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: Readonly<TlsMaterial>;
  /** Stable hash of the TLS material: connections are pooled per (origin, fingerprint). */
  readonly tlsFingerprint: string;
}

/** Options for {@link Credentials}. */
export interface CredentialsOptions {
  /**
   * How long resolved credentials are reused before asking the kubeconfig's authenticators again.
   * Exec plugins and OIDC cache their own tokens until expiry, so this only bounds how quickly a rotated
   * token file or certificate is picked up. Default 60 s.
   */
  refreshIntervalMs?: number;
}

/**
 * One credential (a kubeconfig user) shared by every client built on it, whatever URL they point at.
 *
 * Resolution is single-flight: concurrent requests that find the cache stale wait for one call to the
 * kubeconfig's authenticators (so an exec plugin runs once, not once per request). After a 401 the client
 * calls {@link Credentials.invalidate} and retries once with fresh credentials.
 */
export class Credentials {
  /** Server URL of the kubeconfig's current cluster. */
  readonly server: string;
  /** Where these credentials come from, e.g. `kubeconfig /x, context "y"`; safe to show. */
  readonly description: string;
  readonly #kc: KubeConfig;
  readonly #refreshIntervalMs: number;
  #cached: { value: ResolvedCredentials; at: number } | undefined;
  #inflight: Promise<ResolvedCredentials> | undefined;
  #generation = 0;

  constructor(kubeConfig: KubeConfig, description: string, options: CredentialsOptions = {}) {
    this.#kc = kubeConfig;
    this.description = description;
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeConfigError(`${description}: no current cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 60_000;
  }

  /** Loads a kubeconfig (see {@link loadKubeConfig}) and wraps its current user. */
  static fromKubeConfig(source: KubeConfigSource = {}, options?: CredentialsOptions): Credentials {
    const { kubeConfig, description } = loadKubeConfig(source);
    return new Credentials(kubeConfig, description, options);
  }

  /** The underlying client-node KubeConfig (for its typed APIs). */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /** Current headers and TLS material; resolves at most once per refresh interval, single-flight. */
  resolve(): Promise<ResolvedCredentials> {
    const cached = this.#cached;
    if (cached && Date.now() - cached.at < this.#refreshIntervalMs) return Promise.resolve(cached.value);
    if (this.#inflight) return this.#inflight;
    const generation = this.#generation;
    const inflight = this.#resolveNow().then(
      (value) => {
        if (generation === this.#generation) this.#cached = { value, at: Date.now() };
        return value;
      },
      (err: unknown) => {
        throw new KubeConfigError(
          `${this.description}: could not obtain credentials: ${redact(describeCause(err))}; check the user's token, certificate or exec plugin`,
        );
      },
    );
    this.#inflight = inflight;
    const clear = (): void => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    };
    inflight.then(clear, clear);
    return inflight;
  }

  /** Drops the cached credentials (e.g. after a 401) so the next request resolves them again. */
  invalidate(): void {
    this.#generation++;
    this.#cached = undefined;
    this.#inflight = undefined;
  }

  /** Values that must never appear in a log line or error message (the current bearer token, if any). */
  secrets(): string[] {
    const auth = this.#cached?.value.headers.Authorization;
    const token = auth?.replace(/^Bearer\s+/i, '');
    return token ? [token] : [];
  }

  async #resolveNow(): Promise<ResolvedCredentials> {
    const opts: {
      headers?: Record<string, string>;
      ca?: Buffer;
      cert?: Buffer;
      key?: Buffer;
      rejectUnauthorized?: boolean;
      servername?: string;
      auth?: string;
    } = {};
    await this.#kc.applyToHTTPSOptions(opts as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth && !headers.Authorization) {
      headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    }
    const tls: TlsMaterial = {};
    if (opts.ca) tls.ca = opts.ca;
    if (opts.cert) tls.cert = opts.cert;
    if (opts.key) tls.key = opts.key;
    if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
    if (opts.servername) tls.servername = opts.servername;
    const hash = createHash('sha256');
    for (const part of [tls.ca, tls.cert, tls.key, String(tls.rejectUnauthorized), tls.servername ?? '']) {
      hash.update(part ?? '');
      hash.update('\0');
    }
    return { headers, tls, tlsFingerprint: hash.digest('hex').slice(0, 16) };
  }
}
