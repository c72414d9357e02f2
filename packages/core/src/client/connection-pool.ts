import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import type { ResolvedCredentials } from './credentials.ts';
import { newAgent, newConnector } from './undici-parts.ts';

/** Options for {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /**
   * Speak HTTP/2 where the server offers it (TLS ALPN): every watch and request to one origin shares one
   * connection. Default true, unless the environment variable `KUBELOOM_HTTP2` is `0`; false means one
   * HTTP/1.1 keep-alive connection per concurrent request.
   */
  allowH2?: boolean;
  /** Max connections per origin (default unlimited: every watch holds one). */
  connectionsPerOrigin?: number;
}

/** Whether pools that are not told speak HTTP/2: yes, unless `KUBELOOM_HTTP2=0` turns it off process-wide. */
export function http2ByDefault(): boolean {
  return process.env.KUBELOOM_HTTP2 !== '0';
}

/**
 * HTTP/2 settings for many long-lived watches on one connection, as client-go chooses them:
 * - streams: the server's SETTINGS_MAX_CONCURRENT_STREAMS decides (kcp and kube-apiserver advertise 100);
 *   undici takes the smaller of this and the server's figure, and opens another connection to the same
 *   origin for streams beyond it (as client-go does), so watches past the limit are never queued behind
 *   ones that never end;
 * - flow control: 4 MiB per stream so a large list arrives without waiting for window updates, and a
 *   connection window large enough that a watch whose reader falls behind cannot use up the window the
 *   other streams share (client-go: 4 MiB and 1 GiB). Windows are limits, not buffers: memory is used only
 *   by data actually received and not yet read.
 */
const watchFriendlyHttp2 = {
  maxConcurrentStreams: 1000,
  connectionWindowSize: 1 << 30,
  settings: { initialWindowSize: 4 << 20 },
} satisfies UndiciAgent.Options['h2Options'];

/** The agent currently used for one (origin, credential) pair. */
interface PoolEntry {
  agent: UndiciAgent;
  fingerprint: string;
  generation: number;
}

/**
 * Keep-alive connections, one undici Agent per (origin, credential). client-node builds a new Agent on
 * every request; sharing them here is what makes thousands of requests cheap. A pool is shared by every
 * client derived from the same {@link Credentials}, whatever URL prefix they use.
 *
 * When a credential's TLS material changes (a rotated CA bundle or client certificate), new requests get a
 * new Agent and the old one is closed gracefully: requests and watches already running on it finish
 * undisturbed, and a watch picks up the new material when it reconnects.
 */
export class ConnectionPool {
  readonly #agents = new Map<string, PoolEntry>();
  readonly #retiring = new Set<UndiciAgent>();
  readonly #options: ConnectionPoolOptions;

  constructor(options: ConnectionPoolOptions = {}) {
    this.#options = options;
  }

  /** The dispatcher for requests to `origin` with the given credentials. */
  dispatcher(origin: string, credentials: ResolvedCredentials): Dispatcher {
    // Credentials that do not say where they come from are pooled by their material alone.
    const key = `${origin}|${credentials.tlsSource ?? credentials.tlsFingerprint}`;
    const generation = credentials.tlsGeneration ?? 0;
    const entry = this.#agents.get(key);
    if (entry && (entry.fingerprint === credentials.tlsFingerprint || entry.generation > generation)) {
      // Same material, or a request that resolved its credentials just before a rotation: the newer
      // material is what it should use anyway.
      return entry.agent;
    }
    const allowH2 = this.#options.allowH2 ?? http2ByDefault();
    // Matches client-go: keep-alive probes after 30 s so idle load balancers do not silently drop watches.
    const connect = newConnector({
      ...credentials.tls,
      allowH2,
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
    });
    // A burst of requests on a new pool (every informer starting at once, or every watch relisting after
    // a cut) does not open a connection each: while HTTPS may still turn out to be HTTP/2, undici's pool
    // lets one connection find out (ALPN, then the server's SETTINGS) and holds the rest until it knows,
    // then puts them on that connection's streams, or past the server's stream limit on the next one.
    // test/e2e/http2.test.ts holds it to that: 1 connection for a burst of 6, 2 for 110 watches.
    const agent = newAgent({
      allowH2,
      ...(allowH2 ? { h2Options: watchFriendlyHttp2 } : {}),
      ...(this.#options.connectionsPerOrigin ? { connections: this.#options.connectionsPerOrigin } : {}),
      connect,
    });
    this.#agents.set(key, { agent, fingerprint: credentials.tlsFingerprint, generation });
    if (entry) this.#retire(entry.agent);
    return agent;
  }

  /** Number of agents new requests can use (one per origin and credential); useful in tests. */
  get size(): number {
    return this.#agents.size;
  }

  /** Number of replaced agents still waiting for their last request or watch to end. */
  get retiring(): number {
    return this.#retiring.size;
  }

  /** Closes every connection. Requests in flight are aborted. */
  async close(): Promise<void> {
    const agents = [...[...this.#agents.values()].map((e) => e.agent), ...this.#retiring];
    this.#agents.clear();
    this.#retiring.clear();
    await Promise.allSettled(agents.map((a) => a.destroy()));
  }

  /** Closes an agent once its requests are done (undici's `close` lets them finish). */
  #retire(agent: UndiciAgent): void {
    this.#retiring.add(agent);
    agent.close().then(
      () => this.#retiring.delete(agent),
      () => this.#retiring.delete(agent),
    );
  }
}
