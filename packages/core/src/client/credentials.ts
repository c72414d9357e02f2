import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.ts';
import { KubeConfigError, describeCause } from './errors.ts';
import { ExecCredentialPlugin, type ExecPluginConfig, ExecPluginError } from './exec-credential-plugin.ts';
import { FileChangeDetector } from './file-change-detector.ts';
import { type KubeConfigSource, loadKubeConfig } from './kubeconfig.ts';
import { type KubeConfigLike, ParsedKubeConfig } from './parsed-kube-config.ts';
import { redact } from './redact.ts';

/** TLS material for connections to one server. */
export interface TlsMaterial {
  /** PEM of the certificate authorities the server certificate must chain to; default the system roots. */
  ca?: Buffer | string;
  /** PEM client certificate, for clusters that authenticate by certificate. */
  cert?: Buffer | string;
  /** PEM private key of `cert`. Never log it. */
  key?: Buffer | string;
  /** False only for `insecure-skip-tls-verify: true` kubeconfigs: the server certificate is not checked. */
  rejectUnauthorized?: boolean;
  /** Name the server certificate must be valid for when it differs from the URL's host (`tls-server-name`). */
  servername?: string;
}

/** What a request needs from a credential: headers to send and TLS material for the connection. */
export interface ResolvedCredentials {
  /** Request headers such as `Authorization` and `Impersonate-User`. Never log these. */
  readonly headers: Readonly<Record<string, string>>;
  /** TLS material for the connection (CA, client certificate); part of the connection pool key. */
  readonly tls: Readonly<TlsMaterial>;
  /** Stable hash of the TLS material: connections are pooled per (origin, fingerprint). */
  readonly tlsFingerprint: string;
  /**
   * Which {@link Credentials} produced this (unique per instance), so a connection pool can tell rotated
   * material of one credential (retire the old connections) from another credential's (keep both).
   */
  readonly tlsSource?: string;
  /** Increases each time this credential's TLS material changes (a rotated CA, certificate or key). */
  readonly tlsGeneration?: number;
}

/** Options for {@link Credentials}. */
export interface CredentialsOptions {
  /**
   * How long resolved credentials are reused before asking the kubeconfig's authenticators again.
   * Exec plugins and OIDC cache their own tokens until expiry, so this only bounds how quickly a rotated
   * token file or certificate is picked up. Default 60 s.
   */
  refreshIntervalMs?: number;
  /**
   * Bound on one run of the kubeconfig's exec credential plugin (`users[].user.exec`). A plugin still running
   * then is killed (with its process group) and the request fails with an error naming the command; the
   * next request runs it again. Default 10 s.
   */
  execPluginTimeoutMs?: number;
  /**
   * How often the files the kubeconfig names (`certificate-authority`, `client-certificate`, `client-key`)
   * are checked for changes (a `stat`, no read). A change makes the next request load the new files and
   * open new connections with them, without restarting the process. Default 1 s.
   */
  fileCheckIntervalMs?: number;
  /** Receives what an exec credential plugin prints on stderr (redacted). Default: nothing is logged. */
  logger?: Logger;
}

/**
 * One credential (a kubeconfig user) shared by every client built on it, whatever URL they point at.
 *
 * Resolution is single-flight: concurrent requests that find the cache stale wait for one call to the
 * kubeconfig's authenticators (so an exec plugin runs once, not once per request). After a 401 the client
 * calls {@link Credentials.invalidate} and retries once with fresh credentials.
 *
 * An exec plugin is run by {@link ExecCredentialPlugin} (bounded by `execPluginTimeoutMs`), not by
 * client-node; CA, certificate and key files are reloaded when they change on disk (`fileCheckIntervalMs`).
 */
export class Credentials {
  /** Server URL of the kubeconfig's current cluster. */
  readonly server: string;
  /** Where these credentials come from, e.g. `kubeconfig /x, context "y"`; safe to show. */
  readonly description: string;
  readonly #kc: KubeConfigLike;
  readonly #refreshIntervalMs: number;
  readonly #files: FileChangeDetector;
  readonly #plugin: ExecCredentialPlugin | undefined;
  readonly #source = `credentials#${++instances}`;
  /** The last resolution; `expiresAt` is when an exec plugin's credential stops being valid. */
  #cached: { value: ResolvedCredentials; at: number; expiresAt: number } | undefined;
  #inflight: Promise<ResolvedCredentials> | undefined;
  #generation = 0;
  #tlsGeneration = 0;
  #lastTlsFingerprint: string | undefined;

  constructor(kubeConfig: KubeConfigLike, description: string, options: CredentialsOptions = {}) {
    this.#kc = kubeConfig;
    this.description = description;
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeConfigError(`${description}: no current cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 60_000;
    const user = kubeConfig.getCurrentUser();
    this.#files = new FileChangeDetector(
      [cluster.caFile, user?.certFile, user?.keyFile].filter((p): p is string => !!p),
      options.fileCheckIntervalMs ?? 1_000,
    );
    if (user?.exec) {
      if (!(user.exec as Partial<ExecPluginConfig>).command) {
        throw new KubeConfigError(
          `${description}: the user's exec credential plugin has no command; set users[].user.exec.command`,
        );
      }
      this.#plugin = new ExecCredentialPlugin(user.exec as ExecPluginConfig, {
        ...(options.execPluginTimeoutMs !== undefined ? { timeoutMs: options.execPluginTimeoutMs } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        cluster: {
          server: this.server,
          ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
          ...(cluster.skipTLSVerify ? { insecureSkipTlsVerify: true } : {}),
          ...(cluster.caData ? { certificateAuthorityData: cluster.caData } : {}),
        },
      });
    }
  }

  /** Loads a kubeconfig (see {@link loadKubeConfig}) and wraps its current user. */
  static fromKubeConfig(source: KubeConfigSource = {}, options?: CredentialsOptions): Credentials {
    const { kubeConfig, description } = loadKubeConfig(source);
    return new Credentials(kubeConfig, description, options);
  }

  /**
   * The underlying kubeconfig: a {@link ParsedKubeConfig} unless a client-node `KubeConfig` was given
   * (`await parsed.toClientNode()` gives one for client-node's typed APIs).
   */
  get kubeConfig(): KubeConfigLike {
    return this.#kc;
  }

  /**
   * Current headers and TLS material; resolves at most once per refresh interval (sooner when a certificate
   * or CA file changed), single-flight. A failed resolution is not cached: the next call tries again.
   */
  resolve(): Promise<ResolvedCredentials> {
    const cached = this.#cached;
    const now = Date.now();
    if (
      cached &&
      now - cached.at < this.#refreshIntervalMs &&
      now < cached.expiresAt &&
      !this.#files.changed()
    ) {
      return Promise.resolve(cached.value);
    }
    if (this.#inflight) return this.#inflight;
    const generation = this.#generation;
    const inflight = this.#resolveNow().then(
      ({ value, expiresAt }) => {
        if (generation === this.#generation) this.#cached = { value, at: Date.now(), expiresAt };
        return value;
      },
      (err: unknown) => {
        // A plugin's message already says what to check; other failures get a generic hint.
        // Only a plugin's error (redacted already) is kept as the cause: others may quote a credential.
        const fromPlugin = err instanceof ExecPluginError;
        const hint = fromPlugin ? '' : "; check the user's token, certificate or exec plugin";
        throw new KubeConfigError(
          `${this.description}: could not obtain credentials: ${redact(describeCause(err))}${hint}`,
          fromPlugin ? { cause: err } : undefined,
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
    this.#plugin?.invalidate();
  }

  /**
   * The error for a request whose own timeout (`timeoutMs`) ran out while it waited for credentials — e.g.
   * an exec plugin that takes longer than the request may. The plugin keeps running until its own timeout.
   */
  stillResolvingError(timeoutMs: number): KubeConfigError {
    const plugin = this.#plugin;
    const what = plugin
      ? `${plugin.name} was still running (it is stopped after execPluginTimeoutMs, ${plugin.timeoutMs} ms); raise timeoutMs above execPluginTimeoutMs, or make the plugin answer faster`
      : 'the auth provider had not answered yet; raise timeoutMs';
    return new KubeConfigError(
      `${this.description}: could not obtain credentials within the request's timeout of ${timeoutMs} ms: ${what}`,
    );
  }

  /** Values that must never appear in a log line or error message (the current bearer token, if any). */
  secrets(): string[] {
    const auth = this.#cached?.value.headers.Authorization;
    const token = auth?.replace(/^Bearer\s+/i, '');
    return token ? [token] : [];
  }

  async #resolveNow(): Promise<{ value: ResolvedCredentials; expiresAt: number }> {
    // Before reading: a file replaced while it is being read is then noticed at the next check.
    this.#files.mark();
    const { headers, tls, expiresAt } = this.#plugin
      ? await this.#fromExecPlugin(this.#plugin)
      : await this.#fromKubeConfigUser();
    const hash = createHash('sha256');
    for (const part of [tls.ca, tls.cert, tls.key, String(tls.rejectUnauthorized), tls.servername ?? '']) {
      hash.update(part ?? '');
      hash.update('\0');
    }
    const tlsFingerprint = hash.digest('hex').slice(0, 16);
    if (tlsFingerprint !== this.#lastTlsFingerprint) {
      this.#lastTlsFingerprint = tlsFingerprint;
      this.#tlsGeneration++;
    }
    return {
      value: { headers, tls, tlsFingerprint, tlsSource: this.#source, tlsGeneration: this.#tlsGeneration },
      expiresAt: expiresAt ?? Number.POSITIVE_INFINITY,
    };
  }

  /**
   * Headers and TLS material for a user with an exec plugin. client-node's `applyToHTTPSOptions` is not used
   * for them: it would run the plugin through its own authenticator, which has no timeout.
   */
  async #fromExecPlugin(
    plugin: ExecCredentialPlugin,
  ): Promise<{ headers: Record<string, string>; tls: TlsMaterial; expiresAt: number | undefined }> {
    const user = this.#kc.getCurrentUser() as User;
    const cluster = this.#kc.getCurrentCluster();
    // client-node refuses to send credentials over plain HTTP unless told to; so does this path (same words,
    // so the client explains it the same way), before the plugin is even run.
    if (this.server.startsWith('http:') && !cluster?.skipTLSVerify) {
      throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
    }
    const tls = tlsFromKubeConfig(cluster, user);
    const headers: Record<string, string> = {};
    const credential = await plugin.credential();
    if (credential.token) headers.Authorization = `Bearer ${credential.token}`;
    if (credential.clientCertificateData && credential.clientKeyData) {
      tls.cert = credential.clientCertificateData;
      tls.key = credential.clientKeyData;
    }
    // Same precedence as client-node: a static token in the kubeconfig wins over the plugin's.
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    // Not reused past the plugin's expiry, even within the refresh interval.
    return { headers, tls, expiresAt: credential.expiresAt };
  }

  /**
   * Headers and TLS material for a user without an exec plugin. Tokens, token files, basic auth and
   * certificates are read here; an auth provider (oidc, azure, gcp) or a client-node `KubeConfig` given by
   * the caller (which may carry custom authenticators) goes through client-node, loaded only then.
   */
  async #fromKubeConfigUser(): Promise<{
    headers: Record<string, string>;
    tls: TlsMaterial;
    expiresAt: undefined;
  }> {
    const kc = this.#kc;
    const user = kc.getCurrentUser();
    if (!(kc instanceof ParsedKubeConfig)) return this.#fromClientNode(kc);
    if (user?.authProvider && !isTokenFileProvider(user))
      return this.#fromClientNode(await kc.toClientNode());
    const cluster = kc.getCurrentCluster();
    // client-node's words, so the client explains it the same way whichever path refused.
    if (this.server.startsWith('http:') && !cluster?.skipTLSVerify) {
      throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
    }
    const headers: Record<string, string> = {};
    if (!user) return { headers, tls: {}, expiresAt: undefined };
    const tls = tlsFromKubeConfig(cluster, user);
    // A token file is read on every resolution (at most once per refresh interval), so rotation is seen.
    const tokenFile = isTokenFileProvider(user) ? (user.authProvider.config.tokenFile as string) : undefined;
    if (tokenFile) headers.Authorization = `Bearer ${readFileSync(tokenFile, 'utf8')}`;
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username && !headers.Authorization) {
      headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    }
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    return { headers, tls, expiresAt: undefined };
  }

  async #fromClientNode(kc: KubeConfig): Promise<{
    headers: Record<string, string>;
    tls: TlsMaterial;
    expiresAt: undefined;
  }> {
    const opts: {
      headers?: Record<string, string>;
      ca?: Buffer;
      cert?: Buffer;
      key?: Buffer;
      rejectUnauthorized?: boolean;
      servername?: string;
      auth?: string;
    } = {};
    await kc.applyToHTTPSOptions(opts as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
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
    return { headers, tls, expiresAt: undefined };
  }
}

let instances = 0;

/** client-node's in-cluster user: an auth provider whose only job is to re-read a token file. */
function isTokenFileProvider(user: User): boolean {
  const provider = user.authProvider as { name?: string; config?: { tokenFile?: unknown } } | undefined;
  return (
    typeof provider?.config?.tokenFile === 'string' && provider.name !== 'azure' && provider.name !== 'gcp'
  );
}

/** CA, client certificate and key from the kubeconfig (files are read now, so rotated files are picked up). */
function tlsFromKubeConfig(cluster: Cluster | null, user: User): TlsMaterial {
  const tls: TlsMaterial = {};
  const ca = fileOrData(cluster?.caFile, cluster?.caData);
  const cert = fileOrData(user.certFile, user.certData);
  const key = fileOrData(user.keyFile, user.keyData);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (cluster?.skipTLSVerify) tls.rejectUnauthorized = false;
  if (cluster?.tlsServerName) tls.servername = cluster.tlsServerName;
  return tls;
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  return data ? Buffer.from(data, 'base64') : undefined;
}
