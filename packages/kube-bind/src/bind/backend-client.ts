import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  BackendError,
  BindableResourcesRequest,
  BindingProvider,
  BindingResourceResponse,
  ExportTemplateList,
} from '../backend/wire-types.ts';

/** A failed call to a kube-bind backend: what failed and what to do. */
export class BackendCallError extends Error {
  override readonly name = 'BackendCallError';
}

/** Opens the login URL for the user (a browser; in tests, a scripted one). */
export type OpenLoginPage = (url: string) => Promise<void> | void;

/**
 * The CLI side of kube-bind's HTTP handoff with one backend: discovery, the OIDC login through a loopback
 * callback, the catalogue and the bind call.
 */
export class BackendClient {
  readonly url: string;
  #accessToken: string | undefined;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  /** `GET /api/exports`: who the provider is and where to log in. */
  async provider(): Promise<BindingProvider> {
    return this.#call<BindingProvider>('GET', '/api/exports');
  }

  /**
   * Logs in: listens on a loopback port for the callback, has `open` show the backend's login URL, and
   * waits (up to `timeoutMs`) for the backend to redirect back with an access token.
   */
  async login(open: OpenLoginPage, timeoutMs = 300_000): Promise<void> {
    const provider = await this.provider();
    const method = provider.authenticationMethods.find((m) => m.method === 'OAuth2CodeGrant');
    if (!method) {
      throw new BackendCallError(
        `the backend at ${this.url} offers no OAuth2CodeGrant login; it cannot be used with kubeloom bind`,
      );
    }
    const sessionId = randomBytes(16).toString('hex');
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const server = createServer((req, res) => {
      const callback = new URL(req.url ?? '/', 'http://127.0.0.1');
      const token = callback.searchParams.get('access_token');
      if (
        callback.pathname !== '/callback' ||
        callback.searchParams.get('session_id') !== sessionId ||
        !token
      ) {
        res
          .writeHead(400, { 'content-type': 'text/plain' })
          .end('This is not the login this kubeloom bind waits for.\n');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end('Logged in. You can close this window and return to the terminal.\n');
      resolve(token);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const timer = setTimeout(
      () =>
        reject(
          new BackendCallError(
            `no login came back within ${Math.round(timeoutMs / 1000)} s; run kubeloom bind again and finish the login in the browser`,
          ),
        ),
      timeoutMs,
    );
    try {
      const port = (server.address() as AddressInfo).port;
      const authorize = new URL(method.oauth2CodeGrant.authenticatedURL);
      authorize.searchParams.set('redirect_url', `http://127.0.0.1:${port}/callback`);
      authorize.searchParams.set('session_id', sessionId);
      authorize.searchParams.set('client_type', 'cli');
      await open(authorize.toString());
      this.#accessToken = await promise;
    } finally {
      clearTimeout(timer);
      server.closeAllConnections();
      server.close();
    }
  }

  /** `GET /api/templates`: what the provider offers. */
  templates(): Promise<ExportTemplateList> {
    return this.#call<ExportTemplateList>('GET', '/api/templates');
  }

  /** `POST /api/bind`: the kubeconfig and request(s) for binding `exportName` from `clusterIdentity`. */
  bind(exportName: string, clusterIdentity: string): Promise<BindingResourceResponse> {
    const body: BindableResourcesRequest = {
      apiVersion: 'kube-bind.io/v1alpha2',
      kind: 'BindableResourcesRequest',
      spec: { templateRef: { name: exportName }, clusterIdentity: { identity: clusterIdentity } },
    };
    return this.#call<BindingResourceResponse>('POST', '/api/bind', body);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(this.#accessToken ? { authorization: `Bearer ${this.#accessToken}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new BackendCallError(
        `cannot reach the kube-bind backend at ${this.url} (${cause}); check the URL and that the backend is running`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BackendCallError(
        `${method} ${this.url}${path} answered ${res.status} with something that is not JSON; is ${this.url} a kube-bind backend?`,
      );
    }
    if (!res.ok) {
      const error = parsed as Partial<BackendError>;
      throw new BackendCallError(
        `${method} ${this.url}${path} failed (${res.status} ${error.code ?? 'error'}): ${error.message ?? text}`,
      );
    }
    return parsed as T;
  }
}
