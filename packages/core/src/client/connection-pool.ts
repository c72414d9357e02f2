import { Agent, type Dispatcher } from 'undici';
import type { ResolvedCredentials } from './credentials.ts';

/** Options for {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Allow HTTP/2 where the server offers it. Default false: one HTTP/1.1 keep-alive connection per concurrent request. */
  allowH2?: boolean;
  /** Max connections per origin (default unlimited: every watch holds one). */
  connectionsPerOrigin?: number;
}

/**
 * Keep-alive connections, one undici Agent per (origin, TLS credential). client-node builds a new Agent on
 * every request; sharing them here is what makes thousands of requests cheap. A pool is shared by every
 * client derived from the same {@link Credentials}, whatever URL prefix they use.
 */
export class ConnectionPool {
  readonly #agents = new Map<string, Agent>();
  readonly #options: ConnectionPoolOptions;

  constructor(options: ConnectionPoolOptions = {}) {
    this.#options = options;
  }

  /** The dispatcher for requests to `origin` with the given credentials. */
  dispatcher(origin: string, credentials: ResolvedCredentials): Dispatcher {
    const key = `${origin}|${credentials.tlsFingerprint}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        allowH2: this.#options.allowH2 ?? false,
        ...(this.#options.connectionsPerOrigin ? { connections: this.#options.connectionsPerOrigin } : {}),
        // Matches client-go: keep-alive probes after 30 s so idle load balancers do not silently drop watches.
        connect: { ...credentials.tls, keepAlive: true, keepAliveInitialDelay: 30_000 },
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** Number of distinct (origin, credential) agents; useful in tests. */
  get size(): number {
    return this.#agents.size;
  }

  /** Closes every connection. Requests in flight are aborted. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.allSettled(agents.map((a) => a.destroy()));
  }
}
