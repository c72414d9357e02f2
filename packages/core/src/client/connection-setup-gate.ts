import type { Dispatcher, buildConnector } from 'undici';

/** What the gate knows about one origin. */
interface OriginState {
  /** Connections to it whose TCP and TLS set-up has not finished. */
  settingUp: number;
  /** True once a connection to it was set up without HTTP/2 (ALPN said HTTP/1.1, or plain TCP). */
  http1: boolean;
  /** Requests held until the connection being set up is ready. */
  held: Array<() => void>;
}

/**
 * Sets up one connection per origin at a time while that origin may speak HTTP/2, so that a burst of
 * requests shares one HTTP/2 connection instead of opening one each.
 *
 * Why it is needed: undici's pool opens a new connection for every request that finds no free one, and a
 * connection counts as HTTP/1.1 (one request at a time) until TLS has said which protocol it speaks. A
 * burst — every informer starting at once, or every watch relisting after the connection was cut — would
 * open one connection per request, and each watch then keeps its connection for life: 110 watches on 110
 * connections where HTTP/2 needs two. The gate holds requests to an origin while one of its connections is
 * being set up, and lets them go the moment it is ready (or failed): they then find its HTTP/2 session,
 * or, past the server's stream limit, open the next connection one at a time. Once an origin is known to
 * speak HTTP/1.1, nothing is held (each request needs a connection of its own there).
 */
export class ConnectionSetupGate {
  readonly #origins = new Map<string, OriginState>();

  /** `connect` wrapped so the gate sees each connection's set-up start and end, and its protocol. */
  watchConnector(connect: buildConnector.connector): buildConnector.connector {
    return (options, callback) => {
      const origin = `${options.protocol}//${options.host}`;
      const state = this.#state(origin);
      state.settingUp++;
      connect(options, (...args) => {
        state.settingUp--;
        const [error, socket] = args;
        if (!error) state.http1 = (socket as { alpnProtocol?: string | false }).alpnProtocol !== 'h2';
        // undici attaches the HTTP/2 session (or HTTP/1.1 parser) inside the callback: the held requests
        // are let go after it, so they see the new connection's real capacity.
        (callback as (...a: unknown[]) => void)(...args);
        this.#release(origin);
      });
    };
  }

  /** An undici interceptor that holds requests while their origin has a connection being set up. */
  readonly interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
    const origin = new URL(String(options.origin)).origin;
    return this.#admit(origin, () => dispatch(options, handler), (options as { signal?: unknown }).signal);
  };

  /** Requests held right now, for tests and diagnostics. */
  get held(): number {
    let count = 0;
    for (const state of this.#origins.values()) count += state.held.length;
    return count;
  }

  #admit(origin: string, go: () => boolean, signal: unknown): boolean {
    const state = this.#state(origin);
    if (state.http1 || state.settingUp === 0) return go();
    const run = (): void => {
      go();
    };
    state.held.push(run);
    // A request aborted while held goes on at once: undici then ends it with the abort reason.
    if (signal instanceof AbortSignal) {
      signal.addEventListener(
        'abort',
        () => {
          const at = state.held.indexOf(run);
          if (at >= 0) {
            state.held.splice(at, 1);
            run();
          }
        },
        { once: true },
      );
    }
    return true;
  }

  #release(origin: string): void {
    const state = this.#origins.get(origin);
    if (!state) return;
    // Admitted again in order: the first may start another connection (past the stream limit, or after a
    // failure), and the rest then wait for that one.
    for (const run of state.held.splice(0)) {
      if (state.http1 || state.settingUp === 0) run();
      else state.held.push(run);
    }
  }

  #state(origin: string): OriginState {
    let state = this.#origins.get(origin);
    if (!state) {
      state = { settingUp: 0, http1: false, held: [] };
      this.#origins.set(origin, state);
    }
    return state;
  }
}
