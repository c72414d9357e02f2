import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client, Logger } from '@kubeloom/core';
import { silentLogger } from '@kubeloom/core';
import { KUBE_BIND_API_VERSION } from '../api/group.ts';
import { readCatalogue, readSchema } from './catalogue.ts';
import { setUpConsumerNamespace } from './consumer-setup.ts';
import type { KonnectorCredentialOptions } from './konnector-credentials.ts';
import { type OidcClientOptions, OidcLogin } from './oidc-login.ts';
import type {
  BackendError,
  BackendErrorCode,
  BindableResourcesRequest,
  BindingProvider,
  BindingResourceResponse,
  ExportTemplateList,
} from './wire-types.ts';

/** How the binding service runs. */
export interface BindingServerOptions extends KonnectorCredentialOptions {
  /** The backend workspace: its APIBindings are the catalogue, consumers' namespaces are made here. */
  readonly client: Client;
  readonly providerPrettyName: string;
  readonly oidc: OidcClientOptions;
  /** The URL users reach this service at (for the OIDC redirect URI and the login URL); default its listen address. */
  readonly publicUrl?: string;
  readonly logger?: Logger;
}

/** Largest accepted request body, as kube-bind's backend. */
const maxBodyBytes = 1 << 20;

/** An error answer. */
class HttpError extends Error {
  readonly status: number;
  readonly code: BackendErrorCode;
  constructor(status: number, code: BackendErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * The backend's HTTP service, kube-bind's handoff: `GET /api/exports` (who the provider is, where to log
 * in), `GET /api/authorize` and `/api/callback` (OIDC authorization code with PKCE; the callback redirects
 * to the CLI with a backend access token), `GET /api/templates` (the catalogue) and `POST /api/bind` (sets
 * up the consumer's namespace and answers with a kubeconfig scoped to it and the APIServiceExportRequest
 * to create). Every error is `{message, code}` with what to do.
 */
export class BindingServer {
  readonly #options: BindingServerOptions;
  readonly #logger: Logger;
  #server: Server | undefined;
  #login: OidcLogin | undefined;
  #url = '';

  constructor(options: BindingServerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The service's base URL (after {@link listen}). */
  get url(): string {
    return this.#url;
  }

  /** Listens on `host:port` (port 0: a free one) and resolves with the base URL. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#fail(res, error));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const address = server.address() as AddressInfo;
    this.#url = (this.#options.publicUrl ?? `http://${host}:${address.port}`).replace(/\/+$/, '');
    this.#login = new OidcLogin(this.#options.oidc, `${this.#url}/api/callback`);
    return this.#url;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /api/healthz':
        return send(res, 200, { status: 'ok' });
      case 'GET /api/exports':
        return send(res, 200, this.#provider());
      case 'GET /exports':
        res.writeHead(302, { location: `${this.#url}/api/exports` }).end();
        return;
      case 'GET /api/authorize':
        return this.#authorize(url, res);
      case 'GET /api/callback':
        return this.#callback(url, res);
      case 'GET /api/templates':
        this.#authenticate(req);
        return send(res, 200, await this.#templates());
      case 'POST /api/bind':
        return send(res, 200, await this.#bind(req));
      default:
        throw new HttpError(
          404,
          'RESOURCE_NOT_FOUND',
          `no such endpoint: ${route}; the API is under /api (exports, authorize, templates, bind)`,
        );
    }
  }

  #provider(): BindingProvider {
    return {
      apiVersion: KUBE_BIND_API_VERSION,
      kind: 'BindingProvider',
      providerPrettyName: this.#options.providerPrettyName,
      version: 'v0.1.0',
      authenticationMethods: [
        { method: 'OAuth2CodeGrant', oauth2CodeGrant: { authenticatedURL: `${this.#url}/api/authorize` } },
      ],
    };
  }

  async #authorize(url: URL, res: ServerResponse): Promise<void> {
    const redirectUrl = url.searchParams.get('redirect_url');
    const sessionId = url.searchParams.get('session_id');
    if (!redirectUrl || !sessionId) {
      throw new HttpError(
        400,
        'BAD_REQUEST',
        '/api/authorize needs the query parameters redirect_url and session_id',
      );
    }
    let target: URL;
    try {
      target = new URL(redirectUrl);
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', `redirect_url ${JSON.stringify(redirectUrl)} is not a URL`);
    }
    if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
      throw new HttpError(
        400,
        'BAD_REQUEST',
        'redirect_url must be a loopback http:// URL (the CLI listens on 127.0.0.1 for the callback)',
      );
    }
    const login = await this.#requireLogin().start(redirectUrl, sessionId);
    res.writeHead(302, { location: login.toString() }).end();
  }

  async #callback(url: URL, res: ServerResponse): Promise<void> {
    let redirect: URL;
    try {
      ({ redirect } = await this.#requireLogin().finish(url));
    } catch (error) {
      throw new HttpError(
        401,
        'AUTHENTICATION_FAILED',
        `login failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    res.writeHead(302, { location: redirect.toString() }).end();
  }

  #requireLogin(): OidcLogin {
    if (!this.#login) throw new Error('unreachable: the login exists once the server listens');
    return this.#login;
  }

  #authenticate(req: IncomingMessage): NonNullable<ReturnType<OidcLogin['principal']>> {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    const principal = token ? this.#requireLogin().principal(token) : undefined;
    if (!principal) {
      throw new HttpError(
        401,
        'AUTHENTICATION_FAILED',
        'no valid access token: log in again (kubeloom bind does this)',
      );
    }
    return principal;
  }

  async #templates(): Promise<ExportTemplateList> {
    const catalogue = await readCatalogue(this.#options.client);
    return {
      apiVersion: KUBE_BIND_API_VERSION,
      kind: 'APIServiceExportTemplateList',
      items: catalogue.map((e) => ({
        metadata: { name: e.name },
        spec: { resources: e.resources.map((r) => ({ group: r.group, resource: r.resource })) },
      })),
    };
  }

  async #bind(req: IncomingMessage): Promise<BindingResourceResponse> {
    const principal = this.#authenticate(req);
    const body = await readJson(req);
    const spec = (body as Partial<BindableResourcesRequest> | undefined)?.spec;
    const name = spec?.templateRef?.name;
    const identity = spec?.clusterIdentity?.identity;
    if (!name || !identity) {
      throw new HttpError(
        400,
        'BAD_REQUEST',
        'a BindableResourcesRequest needs spec.templateRef.name and spec.clusterIdentity.identity',
      );
    }
    const catalogue = await readCatalogue(this.#options.client);
    const entry = catalogue.find((e) => e.name === name);
    if (!entry) {
      const names = catalogue.map((e) => e.name).join(', ') || 'none';
      throw new HttpError(
        404,
        'RESOURCE_NOT_FOUND',
        `the provider offers no export named ${name}; it offers: ${names}`,
      );
    }
    const resources = await Promise.all(
      entry.resources.map(async (r) => {
        const schema = await readSchema(this.#options.client, r);
        return {
          group: r.group,
          resource: r.resource,
          versions: schema.spec.versions.filter((v) => v.served).map((v) => v.name),
        };
      }),
    );
    const { clusterNamespace, kubeconfig } = await setUpConsumerNamespace(
      this.#options.client,
      {
        issuer: principal.issuer,
        subject: principal.subject,
        cluster: identity,
        author: spec?.author ?? principal.author,
      },
      this.#options,
    );
    this.#logger.info(
      { clusterNamespace, export: name, author: principal.author },
      'a consumer bound an export',
    );
    return {
      apiVersion: KUBE_BIND_API_VERSION,
      kind: 'BindingResponse',
      authentication: { oauth2CodeGrant: { sid: '', id: `${principal.issuer}/${principal.subject}` } },
      kubeconfig: Buffer.from(kubeconfig).toString('base64'),
      requests: [
        {
          apiVersion: KUBE_BIND_API_VERSION,
          kind: 'APIServiceExportRequest',
          metadata: { name },
          spec: { resources },
        },
      ],
      providerNamespace: clusterNamespace,
    };
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (error instanceof HttpError) {
      send(res, error.status, { message: error.message, code: error.code } satisfies BackendError);
      return;
    }
    this.#logger.error({ err: error }, 'the binding service failed a request');
    const message = error instanceof Error ? error.message : String(error);
    send(res, 500, {
      message: `the provider failed: ${message}; try again, or ask the provider`,
      code: 'INTERNAL_ERROR',
    } satisfies BackendError);
  }
}

/** Writes a JSON answer. */
function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads a JSON request body of at most 1 MiB. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, 'BAD_REQUEST', 'the request body is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'the request body is not JSON');
  }
}
