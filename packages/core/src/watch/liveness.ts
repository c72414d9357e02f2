import { ApiError, describeCause } from '../client/errors.ts';
import type { ConnectionPool } from '../client/connection-pool.ts';
import type { RestClient } from '../client/rest-client.ts';

/** What a {@link WatchLivenessProbe} found: the server answered, or why it is taken for unreachable. */
export type LivenessResult =
  | {
      /** The connection answered. */
      alive: true;
    }
  | {
      /** The connection did not answer. */
      alive: false;
      /** What the probe found, for the log line. */
      reason: string;
    };

/**
 * Tells a dead watch connection from a quiet one. A watch that has received nothing for a while is
 * either idle (kcp's virtual workspaces send no bookmarks on quiet watches) or stuck on a connection
 * that went silent without closing (half-open TCP, a frozen proxy). The watcher asks a probe before
 * giving such a watch up. HTTP/1.1 cannot ask on the watch's own connection, so the default probe asks
 * the same server on the same connection pool; an HTTP/2 implementation can send a PING on the watch's
 * session instead.
 */
export interface WatchLivenessProbe {
  /**
   * Checks the server. Answers from probes started before `since` (e.g. before the watch went quiet) must
   * not be reused: they prove nothing about what happened afterwards.
   */
  check(options: { since: number; timeoutMs: number }): Promise<LivenessResult>;
}

interface SharedProbe {
  startedAt: number;
  result: Promise<LivenessResult>;
}

/** Probes shared by every watch on the same connection pool and origin, so many quiet watches cost one request. */
const sharedProbes = new WeakMap<ConnectionPool, Map<string, SharedProbe>>();

/**
 * The default {@link WatchLivenessProbe}: `GET /version` on the watch's origin, through the same
 * connection pool and credentials. Any HTTP answer (even 401/403/5xx) proves the server and the path to it
 * are alive; only a connection error or no answer within the timeout counts as dead. Concurrent and
 * recent probes of one origin are shared between watches.
 */
export class HttpLivenessProbe implements WatchLivenessProbe {
  readonly #rest: RestClient;
  readonly #origin: string;

  constructor(rest: RestClient) {
    this.#origin = new URL(rest.server).origin;
    this.#rest = rest.withServer(this.#origin);
  }

  check(options: { since: number; timeoutMs: number }): Promise<LivenessResult> {
    let byOrigin = sharedProbes.get(this.#rest.pool);
    if (!byOrigin) {
      byOrigin = new Map();
      sharedProbes.set(this.#rest.pool, byOrigin);
    }
    const existing = byOrigin.get(this.#origin);
    if (existing && existing.startedAt >= options.since) return existing.result;
    const probe: SharedProbe = { startedAt: Date.now(), result: this.#probe(options.timeoutMs) };
    byOrigin.set(this.#origin, probe);
    return probe.result;
  }

  async #probe(timeoutMs: number): Promise<LivenessResult> {
    const noAnswer: LivenessResult = {
      alive: false,
      reason: `GET ${this.#origin}/version got no answer within ${timeoutMs} ms`,
    };
    // undici does not abort a connection attempt that hangs in the TLS handshake (a frozen proxy accepts the
    // TCP connection and then says nothing) until its own connect timeout, so the deadline is kept here.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<LivenessResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(noAnswer);
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.#ask(timeoutMs, controller.signal, noAnswer), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #ask(timeoutMs: number, signal: AbortSignal, noAnswer: LivenessResult): Promise<LivenessResult> {
    try {
      await this.#rest.request({ path: '/version', timeoutMs, signal });
      return { alive: true };
    } catch (err) {
      if (err instanceof ApiError) return { alive: true };
      if (signal.aborted || (err instanceof Error && err.name === 'TimeoutError')) return noAnswer;
      return {
        alive: false,
        reason: `GET ${this.#origin}/version failed: ${describeCause(err instanceof Error && err.cause ? err.cause : err)}`,
      };
    }
  }
}
