import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import type { ResolvedCredentials } from './credentials.ts';
import { newAgent } from './undici-parts.ts';

/** Options for {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Allow HTTP/2 where the server offers it. Default false: one HTTP/1.1 keep-alive connection per concurrent request. */
  allowH2?: boolean;
  /** Max connections per origin (default unlimited: every watch holds one). */
  connectionsPerOrigin?: number;
}

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
    const agent = newAgent({
      allowH2: this.#options.allowH2 ?? false,
      ...(this.#options.connectionsPerOrigin ? { connections: this.#options.connectionsPerOrigin } : {}),
      // Matches client-go: keep-alive probes after 30 s so idle load balancers do not silently drop watches.
      connect: { ...credentials.tls, keepAlive: true, keepAliveInitialDelay: 30_000 },
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
