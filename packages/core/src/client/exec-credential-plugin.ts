import { spawn } from 'node:child_process';
import { type Logger, silentLogger } from '../log/logger.ts';
import { describeCause } from './errors.ts';
import { redact } from './redact.ts';

/** The `users[].user.exec` stanza of a kubeconfig, as written in the file. */
export interface ExecPluginConfig {
  /** `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`. */
  apiVersion?: string;
  /** Program to run. Shown in errors; its arguments are not (they may hold secrets). */
  command: string;
  /** Arguments for `command`. Never shown in errors or logs. */
  args?: string[];
  /** Extra environment variables for the plugin, on top of this process's environment. */
  env?: Array<{
    /** Variable name. */
    name: string;
    /** Its value. */
    value: string;
  }> | null;
  /** Shown when the command cannot be started, e.g. how to install it. */
  installHint?: string;
  /** Pass the cluster's server URL and CA in `KUBERNETES_EXEC_INFO`. */
  provideClusterInfo?: boolean;
  /** `Never`, `IfAvailable` or `Always`. kubeloom never has a terminal to offer, so `Always` cannot work. */
  interactiveMode?: string;
}

/** The cluster a plugin with `provideClusterInfo: true` is told about. */
export interface ExecPluginClusterInfo {
  /** The cluster's server URL. */
  server: string;
  /** `tls-server-name` of the kubeconfig cluster. */
  tlsServerName?: string;
  /** `insecure-skip-tls-verify` of the kubeconfig cluster. */
  insecureSkipTlsVerify?: boolean;
  /** Base64 PEM, as in `certificate-authority-data`. */
  certificateAuthorityData?: string;
}

/** What an exec plugin returned (`ExecCredential.status`). */
export interface ExecCredentialResult {
  /** Bearer token. */
  token?: string;
  /** PEM client certificate. */
  clientCertificateData?: string;
  /** PEM private key of {@link clientCertificateData}. */
  clientKeyData?: string;
  /** When the credential stops being valid (epoch ms); undefined means "until the server rejects it". */
  expiresAt?: number;
}

/** Options for {@link ExecCredentialPlugin}. */
export interface ExecCredentialPluginOptions {
  /** Kill the plugin (its whole process group) if it has not exited after this long. Default 10 s. */
  timeoutMs?: number;
  /** Gets the plugin's stderr (redacted) when it succeeds but printed something. Default: silent. */
  logger?: Logger;
  /** Sent in `KUBERNETES_EXEC_INFO` when the kubeconfig sets `provideClusterInfo: true`. */
  cluster?: ExecPluginClusterInfo;
}

/**
 * An exec credential plugin could not deliver a credential: it hung, failed, could not be started or printed
 * something unusable. The message names the command (never its arguments) and includes its stderr, redacted.
 */
export class ExecPluginError extends Error {
  /** `ExecPluginError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ExecPluginError';
  /** The plugin's `command` from the kubeconfig. */
  readonly command: string;

  constructor(command: string, message: string) {
    super(message);
    this.command = command;
  }
}

/** Default for {@link ExecCredentialPluginOptions.timeoutMs}. */
export const DEFAULT_EXEC_PLUGIN_TIMEOUT_MS = 10_000;

const supportedApiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
/** Longest stderr excerpt put into an error message. */
const maxStderrInError = 1_000;
/** Output beyond this is dropped rather than buffered: an ExecCredential is a few KiB. */
const maxOutputBytes = 1 << 20;

/**
 * Runs a kubeconfig exec credential plugin (the ExecCredential protocol kubectl uses) and caches what it
 * returns until `expirationTimestamp`.
 *
 * client-node's own exec authenticator waits for the plugin forever and caches nothing on failure, so a
 * plugin that hangs (waiting for a login prompt, a dead network) blocked every request silently. Here a run
 * is bounded by a timeout that kills the plugin's whole process group, and every failure becomes an error
 * that names the command; nothing failed is cached, so the next request runs the plugin again.
 */
export class ExecCredentialPlugin {
  /** The kubeconfig's `exec` stanza. */
  readonly config: ExecPluginConfig;
  /** Bound on one run; see {@link ExecCredentialPluginOptions.timeoutMs}. */
  readonly timeoutMs: number;
  readonly #logger: Logger;
  readonly #cluster: ExecPluginClusterInfo | undefined;
  #cached: ExecCredentialResult | undefined;

  constructor(config: ExecPluginConfig, options: ExecCredentialPluginOptions = {}) {
    if (!config.command) {
      throw new ExecPluginError(
        '',
        'the exec credential plugin has no command; set users[].user.exec.command',
      );
    }
    this.config = config;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_PLUGIN_TIMEOUT_MS;
    this.#logger = (options.logger ?? silentLogger).child({ execPlugin: config.command });
    this.#cluster = options.cluster;
  }

  /** `exec credential plugin "<command>"`: how errors name this plugin. */
  get name(): string {
    return `exec credential plugin "${this.config.command}"`;
  }

  /** The cached credential while it is valid, otherwise the result of a new run. */
  async credential(now: number = Date.now()): Promise<ExecCredentialResult> {
    const cached = this.#cached;
    if (cached && (cached.expiresAt === undefined || cached.expiresAt > now)) return cached;
    this.#cached = undefined;
    const result = await this.run();
    this.#cached = result;
    return result;
  }

  /** Forgets the cached credential (after the server rejected it), so the next call runs the plugin. */
  invalidate(): void {
    this.#cached = undefined;
  }

  /** Runs the plugin once, without the cache. Rejects with an Error naming the command on any failure. */
  run(): Promise<ExecCredentialResult> {
    const apiVersion = this.config.apiVersion ?? '';
    if (!supportedApiVersions.includes(apiVersion)) {
      return Promise.reject(
        this.#error(
          `${this.name} uses apiVersion "${apiVersion}"; set users[].user.exec.apiVersion to one of ${supportedApiVersions.join(', ')}`,
        ),
      );
    }
    if (this.config.interactiveMode === 'Always') {
      return Promise.reject(
        this.#error(
          `${this.name} requires an interactive terminal (interactiveMode: Always), which a controller never has; log in beforehand or use a non-interactive credential`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let outputBytes = 0;
      let settled = false;
      const child = spawn(this.config.command, this.config.args ?? [], {
        env: this.#environment(apiVersion),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group, so a timeout kills whatever the plugin started too (e.g. a browser helper).
        detached: true,
      });
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        outputBytes += chunk.length;
        if (outputBytes <= maxOutputBytes) into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      const finish = (error: Error | undefined, result?: ExecCredentialResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(result as ExecCredentialResult);
      };
      const timer = setTimeout(() => {
        killGroup(child.pid);
        child.stdout.destroy();
        child.stderr.destroy();
        finish(
          this.#error(
            `${this.name} did not finish within ${this.timeoutMs} ms and was killed${this.#stderrSuffix(stderr)}; check that it can run without a terminal (no login prompt), or raise execPluginTimeoutMs`,
          ),
        );
      }, this.timeoutMs);
      child.on('error', (err) => {
        const hint = this.config.installHint ? `; ${this.config.installHint.trim()}` : '';
        finish(this.#error(`${this.name} could not be started: ${describeCause(err)}${hint}`));
      });
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const how = signal ? `was killed by signal ${signal}` : `exited with code ${code}`;
          finish(this.#error(`${this.name} ${how}${this.#stderrSuffix(stderr)}`));
          return;
        }
        try {
          const result = this.#parse(Buffer.concat(stdout).toString('utf8'), apiVersion);
          const warnings = Buffer.concat(stderr).toString('utf8').trim();
          if (warnings) this.#logger.warn({ stderr: redact(warnings) }, `${this.name} wrote to stderr`);
          finish(undefined, result);
        } catch (err) {
          finish(err instanceof Error ? err : this.#error(String(err)));
        }
      });
    });
  }

  #error(message: string): ExecPluginError {
    return new ExecPluginError(this.config.command, message);
  }

  #environment(apiVersion: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const { name, value } of this.config.env ?? []) env[name] = value;
    const spec: Record<string, unknown> = { interactive: false };
    if (this.config.provideClusterInfo && this.#cluster) {
      const c = this.#cluster;
      spec.cluster = {
        server: c.server,
        ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}),
        ...(c.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(c.certificateAuthorityData ? { 'certificate-authority-data': c.certificateAuthorityData } : {}),
      };
    }
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec });
    return env;
  }

  /** `: <redacted stderr>` for an error message, or nothing when the plugin printed nothing. */
  #stderrSuffix(stderr: Buffer[]): string {
    const text = redact(Buffer.concat(stderr).toString('utf8').trim());
    if (!text) return '';
    return `: ${text.length > maxStderrInError ? `${text.slice(0, maxStderrInError)}…` : text}`;
  }

  #parse(stdout: string, apiVersion: string): ExecCredentialResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      // stdout is never quoted: it may be a half-printed token.
      throw this.#error(
        `${this.name} printed something that is not JSON on stdout; it must print an ExecCredential object`,
      );
    }
    const credential = (parsed ?? {}) as {
      kind?: unknown;
      apiVersion?: unknown;
      status?: {
        token?: unknown;
        clientCertificateData?: unknown;
        clientKeyData?: unknown;
        expirationTimestamp?: unknown;
      };
    };
    if (credential.kind !== 'ExecCredential' || credential.apiVersion !== apiVersion) {
      throw this.#error(
        `${this.name} returned kind "${String(credential.kind)}", apiVersion "${String(credential.apiVersion)}"; expected an ExecCredential of ${apiVersion}, the apiVersion the kubeconfig asks for`,
      );
    }
    const status = credential.status ?? {};
    const result: ExecCredentialResult = {};
    const token = nonEmptyString(status.token);
    const cert = nonEmptyString(status.clientCertificateData);
    const key = nonEmptyString(status.clientKeyData);
    if (token) result.token = token;
    if (cert && key) {
      result.clientCertificateData = cert;
      result.clientKeyData = key;
    } else if (cert || key) {
      throw this.#error(
        `${this.name} returned ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}; both are needed for a client certificate`,
      );
    }
    if (!token && !cert) {
      throw this.#error(`${this.name} returned neither status.token nor a client certificate and key`);
    }
    const expiry = status.expirationTimestamp;
    if (expiry !== undefined && expiry !== null && expiry !== '') {
      const at = typeof expiry === 'string' ? Date.parse(expiry) : Number.NaN;
      if (!Number.isFinite(at)) {
        throw this.#error(
          `${this.name} returned an invalid status.expirationTimestamp ${JSON.stringify(expiry)}; expected an RFC 3339 time`,
        );
      }
      result.expiresAt = at;
    }
    return result;
  }
}

/** A non-empty string field of the plugin's answer, or undefined. */
function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** SIGKILLs a detached child's process group; the child alone if the group is already gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already exited.
    }
  }
}
