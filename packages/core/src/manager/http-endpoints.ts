import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { BindAddress } from './bind-address.ts';

/** Answers one path. `url` is parsed, so handlers can read query parameters such as `verbose`. */
export type EndpointHandler = (url: URL, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * A tiny `node:http` server for the manager's probe and metrics endpoints: GET routes, nothing else, so
 * no framework is needed. {@link close} also ends keep-alive connections, so that a Prometheus scraper
 * holding one open cannot delay shutdown.
 */
export class HttpEndpoints {
  readonly #routes = new Map<string, EndpointHandler>();
  readonly #server: Server;
  readonly #logger: Logger;
  #address: AddressInfo | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
    // Not a static import: importing node:http from an ES module builds its namespace, whose lazy
    // WebSocket and event getters load Node's internal copy of undici (~30 ms of every start-up).
    this.#server = process.getBuiltinModule('node:http').createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger.error({ err: error, path: req.url }, 'HTTP endpoint failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        else res.destroy();
      });
    });
  }

  /** Serves `path` with `handler`. */
  route(path: string, handler: EndpointHandler): this {
    this.#routes.set(path, handler);
    return this;
  }

  /** Paths served. */
  get paths(): string[] {
    return [...this.#routes.keys()];
  }

  /** Starts listening; resolves with the bound address (the actual port when 0 was asked for). */
  listen(bind: BindAddress): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(bind.port, bind.host, () => {
        this.#server.off('error', onError);
        this.#address = this.#server.address() as AddressInfo;
        resolve(this.#address);
      });
    });
  }

  /** The bound address, once listening. */
  get address(): AddressInfo | undefined {
    return this.#address;
  }

  /** Stops listening and closes every connection, idle or not. */
  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handler = this.#routes.get(url.pathname);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`404 page not found\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    await handler(url, req, res);
  }
}
