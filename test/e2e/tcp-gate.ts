import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * What a {@link TcpGate} does with connections: forward them, hold new ones back, drop them all, or
 * freeze them (stop moving bytes while keeping every socket open).
 */
export type GateState = 'open' | 'holding' | 'shut' | 'frozen';

/**
 * A TCP pass-through to kcp for one client, so that a test can cut it off from kcp while kcp stays up —
 * deterministically, unlike racing a restart or a backoff. TLS is end to end; the gate only moves bytes.
 *
 * - `open`: every connection is forwarded;
 * - `holding`: new connections wait, unanswered, until the gate opens (a client that cannot sync yet);
 * - `shut`: the connections it carries and every new one are dropped at once (a client that cannot reach kcp);
 * - `frozen`: no byte moves either way, yet no socket closes and new connections are accepted and held (a
 *   half-open connection or a hung proxy: TCP keepalives are still answered, by the gate's own sockets).
 */
export class TcpGate {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  readonly #held: Socket[] = [];
  /** Forwarded (client, upstream) pairs, so that a freeze can stop them and an open can restart them. */
  readonly #pairs = new Set<[Socket, Socket]>();
  #state: GateState;

  private constructor(server: Server, targetPort: number, state: GateState) {
    this.#server = server;
    this.#targetPort = targetPort;
    this.#state = state;
  }

  /** Listens on a free loopback port and forwards to `targetPort` on 127.0.0.1. */
  static listen(targetPort: number, initial: GateState = 'open'): Promise<TcpGate> {
    const server = createServer();
    const gate = new TcpGate(server, targetPort, initial);
    server.on('connection', (socket) => gate.#accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(gate));
    });
  }

  get port(): number {
    const address = this.#server.address();
    if (!address || typeof address !== 'object') throw new Error('the gate is not listening');
    return address.port;
  }

  get state(): GateState {
    return this.#state;
  }

  /** Connections waiting while the gate holds. */
  get held(): number {
    return this.#held.length;
  }

  /** Forwards the held connections and every later one (and resumes frozen ones). */
  open(): void {
    const wasFrozen = this.#state === 'frozen';
    this.#state = 'open';
    if (wasFrozen) for (const [client, upstream] of this.#pairs) this.#pipe(client, upstream);
    for (const socket of this.#held.splice(0)) this.#forward(socket);
  }

  /** Stops moving bytes on every connection, without closing any; new connections are held. */
  freeze(): void {
    this.#state = 'frozen';
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Drops the connections it carries (and holds) and every new one until {@link open}. */
  shut(): void {
    this.#state = 'shut';
    for (const socket of [...this.#sockets, ...this.#held.splice(0)]) socket.destroy();
  }

  close(): Promise<void> {
    this.shut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.#state === 'open') this.#forward(socket);
    else if (this.#state === 'holding' || this.#state === 'frozen') {
      socket.pause();
      this.#held.push(socket);
    } else socket.destroy();
  }

  #forward(client: Socket): void {
    const upstream = connect(this.#targetPort, '127.0.0.1');
    upstream.on('error', () => {});
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    for (const socket of pair) {
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    this.#pipe(client, upstream);
  }

  #pipe(client: Socket, upstream: Socket): void {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    upstream.resume();
  }
}
