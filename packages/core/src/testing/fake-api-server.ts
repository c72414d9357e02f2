import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../client/client.ts';
import type { CredentialsOptions } from '../client/credentials.ts';
import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, apiVersionOf } from '../client/resource.ts';
import { PatchType, type RestClientOptions } from '../client/rest-client.ts';
import { ALL_CLUSTERS, type ResourceRoute, parseApiPath, resolveResourceRoute } from './api-path.ts';
import { decodeContinueToken, encodeContinueToken } from './continue-token.ts';
import { apiGroup, apiGroupList, apiResourceList, coreApiVersions, fakeVersionInfo } from './discovery.ts';
import { FailureRules, type InjectedFailure } from './failure-rules.ts';
import { FaultInjector } from './fault-injector.ts';
import { type FakeKubeConfigOptions, fakeKubeConfig } from './fake-kubeconfig.ts';
import { JsonPatchError, applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { ObjectFilter } from './object-filter.ts';
import { type DeletePreconditions, type ObjectAddress, ObjectStore } from './object-store.ts';
import type { RecordedRequest } from './recorded-request.ts';
import { type ChangeType, type ResourceOptions, type ResourceTable, objectKey } from './resource-table.ts';
import {
  StatusError,
  badRequest,
  expired,
  invalid,
  methodNotAllowed,
  reasonForCode,
  statusBody,
  unauthorized,
  unknownPath,
  unsupportedMediaType,
} from './status-error.ts';
import { WatchStream } from './watch-stream.ts';

/** The bearer token a {@link FakeApiServer} accepts unless told otherwise. */
export const FAKE_API_SERVER_TOKEN = 'kubeloom-fake-api-server-token';

/** A resource to register at start, optionally with a status subresource. */
export type FakeResourceRegistration =
  | ResourceDescriptor
  | ({
      /** The resource to serve. */
      resource: ResourceDescriptor;
    } & ResourceOptions);

/** Options for {@link FakeApiServer.start}. */
export interface FakeApiServerOptions {
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Listen port. Default 0 (any free port). */
  port?: number;
  /** Resources to register right away (more can be added with {@link FakeApiServer.register}). */
  resources?: readonly FakeResourceRegistration[];
  /** Interval of BOOKMARK events on watches with `allowWatchBookmarks=true`. Default 1000 ms (real servers: ~60 s). */
  bookmarkIntervalMs?: number;
  /**
   * Events kept per resource for watch replay and LIST snapshots. Older ones are forgotten, so watches and
   * continue tokens from before them get 410 Expired. Default 10 000.
   */
  historyLimit?: number;
  /** Answer 401 to requests without `Authorization: Bearer <token>`. Default true. */
  requireToken?: boolean;
  /** The accepted bearer token. Default {@link FAKE_API_SERVER_TOKEN}. */
  token?: string;
  /** How many of the newest requests {@link FakeApiServer.requests} keeps. Default 100 000. */
  requestLogLimit?: number;
}

/** Where to find an object in {@link FakeApiServer.getObject}. */
export interface FakeObjectAddress {
  /** kcp logical cluster; default `''` (objects created without a `/clusters/...` prefix). */
  cluster?: string;
  /** Required for namespaced resources. */
  namespace?: string;
  /** Name of the object. */
  name: string;
}

/** Which objects {@link FakeApiServer.objects} returns; every field defaults to "all". */
export interface FakeObjectScope {
  /** kcp logical cluster; default `''`. */
  cluster?: string;
  /** Only this namespace; default all. */
  namespace?: string;
}

/** A change for {@link FakeApiServer.emit}. */
export interface FakeChange<T extends KubeObject = KubeObject> {
  /** ADDED and MODIFIED store the object (creating or replacing it); DELETED removes it. */
  type: ChangeType;
  /** The object to store or remove. */
  object: T;
}

/** Options for clients made by {@link FakeApiServer.client}. */
export type FakeClientOptions = Omit<RestClientOptions, 'credentials' | 'server'> & CredentialsOptions;

/** Paths that answer without a token, as on a real API server. */
const healthPaths = new Set(['/healthz', '/readyz', '/livez']);

/**
 * An in-process Kubernetes API server for tests and benchmarks: any registered resource gets GET, LIST
 * (paging, selectors, consistent snapshots), WATCH (replay, bookmarks, timeouts), POST, PUT, PATCH (merge,
 * JSON patch, simplified server-side apply), DELETE (finalizers, preconditions) and deleteCollection, the
 * `status` subresource, and kcp's `/clusters/<name>` and `/clusters/*` URLs. {@link faults} breaks things on
 * purpose, deterministically; {@link requests} records what clients asked for.
 *
 * ```ts
 * const server = await FakeApiServer.start({ resources: [ConfigMapResource] });
 * const client = server.client();
 * await client.create(ConfigMapResource, { metadata: { name: 'a', namespace: 'default' } });
 * await server.stop();
 * ```
 *
 * Not implemented: strategic merge patch (415), field ownership in server-side apply, garbage collection of
 * dependents, namespace existence checks, admission and validation beyond names.
 */
export class FakeApiServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The bearer token the server accepts. */
  readonly token: string;
  /** Deterministic fault injection. */
  readonly faults: FaultInjector;
  readonly #http: Server;
  readonly #store: ObjectStore;
  readonly #watches = new Set<WatchStream>();
  readonly #failures = new FailureRules();
  readonly #clients: Client[] = [];
  readonly #bookmarkIntervalMs: number;
  readonly #requireToken: boolean;
  readonly #requestLogLimit: number;
  #requests: RecordedRequest[] = [];
  #stopped: Promise<void> | undefined;

  private constructor(http: Server, url: string, options: FakeApiServerOptions) {
    this.#http = http;
    this.url = url;
    this.token = options.token ?? FAKE_API_SERVER_TOKEN;
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    this.#requireToken = options.requireToken ?? true;
    this.#requestLogLimit = Math.max(1, options.requestLogLimit ?? 100_000);
    this.#store = new ObjectStore({ historyLimit: options.historyLimit ?? 10_000 });
    this.faults = new FaultInjector(
      {
        openWatches: () => this.#watches,
        compact: () => this.#store.compact(),
      },
      this.#failures,
    );
    for (const entry of options.resources ?? []) {
      if ('resource' in entry) this.register(entry.resource, entry);
      else this.register(entry);
    }
    http.on('request', (req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        // #handle answers every error itself; this only guards against a broken socket while answering.
        if (!res.headersSent) res.writeHead(500).end(String(err));
        else res.destroy();
      });
    });
  }

  /** Starts a server listening on 127.0.0.1 and a free port (unless told otherwise). */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const http = createServer({ keepAliveTimeout: 30_000 });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    try {
      return new FakeApiServer(http, `http://${urlHost}:${port}`, options);
    } catch (err) {
      http.close();
      throw err;
    }
  }

  /** Kubeconfig YAML for this server (token auth, `insecure-skip-tls-verify: true`), for `Client.fromKubeConfig({ text })`. */
  kubeconfig(options: FakeKubeConfigOptions = {}): string {
    const server = options.cluster !== undefined ? `${this.url}/clusters/${options.cluster}` : this.url;
    return fakeKubeConfig(server, options.token ?? this.token);
  }

  /** A client for this server (optionally for one kcp cluster). Its connections are closed by {@link stop}. */
  client(options: FakeKubeConfigOptions = {}, clientOptions: FakeClientOptions = {}): Client {
    const client = Client.fromKubeConfig({ text: this.kubeconfig(options) }, clientOptions);
    this.#clients.push(client);
    return client;
  }

  /** Serves a resource from now on. Registering it again only changes its options. */
  register(resource: ResourceDescriptor, options: ResourceOptions = {}): this {
    this.#store.register(resource, options);
    return this;
  }

  /**
   * Stores objects directly, without HTTP and without API rules (creating or replacing by cluster,
   * namespace and name); each write assigns a resourceVersion and reaches open watches. The cluster comes
   * from each object's `kcp.io/cluster` annotation. Returns copies of the stored objects.
   */
  seed<T extends KubeObject>(resource: ResourceDescriptor<T>, objects: readonly T[]): T[] {
    const table = this.#store.table(resource);
    return objects.map((obj) => jsonCopy(this.#store.upsert(table, jsonCopy(obj)) as T));
  }

  /**
   * Applies many changes directly, the cheap way to drive benchmarks: like {@link seed}, but nothing is
   * copied, in or out, so the objects passed in must not be changed afterwards. DELETED removes the object
   * regardless of finalizers. Returns the resourceVersion after the last change.
   */
  emit<T extends KubeObject>(resource: ResourceDescriptor<T>, changes: Iterable<FakeChange<T>>): string {
    const table = this.#store.table(resource);
    for (const change of changes) {
      if (change.type === 'DELETED') this.#store.remove(table, change.object);
      else this.#store.upsert(table, change.object);
    }
    return this.resourceVersion;
  }

  /** Copies of the stored objects of a resource, in (cluster, namespace, name) order. */
  objects<T extends KubeObject>(resource: ResourceDescriptor<T>, scope: FakeObjectScope = {}): T[] {
    const filter = new ObjectFilter({ cluster: scope.cluster ?? ALL_CLUSTERS, namespace: scope.namespace });
    return [...this.#store.table(resource).current(filter)].map((obj) => jsonCopy(obj as T));
  }

  /** A copy of one stored object, or `undefined`. */
  getObject<T extends KubeObject>(resource: ResourceDescriptor<T>, at: FakeObjectAddress): T | undefined {
    const table = this.#store.table(resource);
    const found = table.get(
      objectKey(at.cluster ?? '', resource.namespaced ? (at.namespace ?? '') : '', at.name),
    );
    return found === undefined ? undefined : jsonCopy(found as T);
  }

  /** The resourceVersion of the latest write. */
  get resourceVersion(): string {
    return String(this.#store.rv);
  }

  /**
   * Requests received since start (or {@link clearRequests}), oldest first, including rejected ones. Only
   * about the newest `requestLogLimit` are kept.
   */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Empties {@link requests}. */
  clearRequests(): void {
    this.#requests = [];
  }

  /** Number of watch connections currently open. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /** Closes every connection (watches are dropped), the clients made by {@link client}, and the listener. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      for (const watch of this.#watches) watch.drop();
      const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.#http.closeAllConnections();
      await Promise.allSettled(this.#clients.map((c) => c.rest.pool.close()));
      await closed;
    })();
    return this.#stopped;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const method = (req.method ?? 'GET').toUpperCase();
    const watch = query.watch === 'true' || query.watch === '1';
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      watch,
      at: Date.now(),
      status: undefined,
    };
    this.#requests.push(record);
    // Trim in batches so that logging stays O(1) amortized.
    if (this.#requests.length >= this.#requestLogLimit * 1.5 + 1) {
      this.#requests = this.#requests.slice(-this.#requestLogLimit);
    }
    try {
      if (
        this.#requireToken &&
        !healthPaths.has(url.pathname) &&
        req.headers.authorization !== `Bearer ${this.token}`
      ) {
        throw unauthorized();
      }
      const failure = this.#failures.take(record);
      if (failure) return this.#sendFailure(res, record, failure);
      await this.#route(req, res, url.pathname, query, record);
    } catch (err) {
      const error =
        err instanceof StatusError
          ? err
          : new StatusError(
              500,
              'InternalError',
              `fake API server: ${err instanceof Error ? err.message : String(err)}`,
            );
      if (res.headersSent) res.destroy();
      else this.#send(res, record, error.code, error.toStatus());
    }
  }

  async #route(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    query: Record<string, string>,
    record: RecordedRequest,
  ): Promise<void> {
    const { method, watch } = record;
    const path = parseApiPath(pathname);
    if (path.type === 'other') {
      if (method !== 'GET') throw methodNotAllowed(method, pathname);
      if (healthPaths.has(path.rest)) return this.#sendText(res, record, 200, 'ok');
      if (path.rest === '/version') return this.#send(res, record, 200, fakeVersionInfo);
      throw unknownPath(pathname);
    }
    if (path.type === 'discovery') {
      if (method !== 'GET') throw methodNotAllowed(method, pathname);
      const tables = this.#store.tables();
      let body: object | undefined;
      if (path.legacy)
        body = path.version === undefined ? coreApiVersions() : apiResourceList(tables, '', path.version);
      else if (path.group === undefined) body = apiGroupList(tables);
      else if (path.version === undefined) body = apiGroup(tables, path.group);
      else body = apiResourceList(tables, path.group, path.version);
      if (!body) throw unknownPath(pathname);
      return this.#send(res, record, 200, body);
    }
    const find = (plural: string): ResourceTable | undefined =>
      this.#store.find(path.group, path.version, plural);
    const route = resolveResourceRoute(path.segments, (plural) => find(plural)?.resource.namespaced);
    const table = route && find(route.plural);
    if (!route || !table) throw unknownPath(pathname);
    if (table.resource.namespaced && route.name !== undefined && route.namespace === undefined) {
      throw unknownPath(pathname);
    }
    if (route.subresource !== undefined && (route.subresource !== 'status' || !table.statusSubresource)) {
      throw unknownPath(pathname);
    }
    const { cluster } = path;
    if (cluster === ALL_CLUSTERS && (method !== 'GET' || route.name !== undefined)) {
      throw methodNotAllowed(method, pathname);
    }
    const dryRun = query.dryRun === 'All';
    if (route.name === undefined) {
      if (method === 'GET') {
        return watch
          ? this.#watch(res, table, requestedObjects(cluster, route, query), query, record)
          : this.#list(res, table, requestedObjects(cluster, route, query), query, record);
      }
      if (method === 'POST') {
        if (table.resource.namespaced && route.namespace === undefined)
          throw methodNotAllowed(method, pathname);
        const body = parseJson(await readBody(req));
        const created = this.#store.create(table, cluster, route.namespace, body, { dryRun });
        return this.#send(res, record, 201, created);
      }
      if (method === 'DELETE') {
        const filter = requestedObjects(cluster, route, query);
        const preconditions = deletePreconditions(await readBody(req));
        const items = this.#store.deleteCollection(table, filter, preconditions, { dryRun });
        return this.#send(res, record, 200, this.#listBody(table, this.#store.rv, items, undefined));
      }
      throw methodNotAllowed(method, pathname);
    }
    const at: ObjectAddress = { cluster, namespace: route.namespace ?? '', name: route.name };
    const status = route.subresource === 'status';
    switch (method) {
      case 'GET':
        if (watch && !status)
          return this.#watch(res, table, requestedObjects(cluster, route, query), query, record);
        return this.#send(res, record, 200, this.#store.get(table, at));
      case 'PUT': {
        const body = parseJson(await readBody(req));
        return this.#send(res, record, 200, this.#store.replace(table, at, body, { status, dryRun }));
      }
      case 'PATCH':
        return this.#patch(req, res, table, at, query, record, { status, dryRun });
      case 'DELETE': {
        if (status) throw methodNotAllowed(method, pathname);
        const preconditions = deletePreconditions(await readBody(req));
        const result = this.#store.delete(table, at, preconditions, { dryRun });
        if (!result.deleted) return this.#send(res, record, 200, result.object);
        const { resource } = table;
        return this.#send(res, record, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: {
            name: at.name,
            ...(resource.group ? { group: resource.group } : {}),
            kind: resource.plural,
            uid: result.object.metadata?.uid,
          },
        });
      }
      default:
        throw methodNotAllowed(method, pathname);
    }
  }

  #list(
    res: ServerResponse,
    table: ResourceTable,
    filter: ObjectFilter,
    query: Record<string, string>,
    record: RecordedRequest,
  ): void {
    const limit = parseNonNegativeInteger(query.limit, 'limit') || undefined;
    const oldest = this.#store.oldestRv(table);
    let rv = this.#store.rv;
    let after: string | undefined;
    if (query.continue) {
      const position = decodeContinueToken(query.continue);
      if (!position) throw badRequest('invalid continue token');
      if (position.rv < oldest) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      rv = position.rv;
      after = position.after;
    } else if (query.resourceVersionMatch === 'Exact') {
      const exact = parseNonNegativeInteger(query.resourceVersion, 'resourceVersion');
      if (exact < oldest) throw expired(`too old resource version: ${exact} (${oldest})`);
      if (exact > rv)
        throw new StatusError(504, 'Timeout', `Too large resource version: ${exact}, current: ${rv}`);
      rv = exact;
    }
    const page = table.listPage(rv, filter, after, limit);
    const token =
      page.continueAfter !== undefined ? encodeContinueToken({ rv, after: page.continueAfter }) : undefined;
    this.#send(res, record, 200, this.#listBody(table, rv, page.items, token));
  }

  #listBody(
    table: ResourceTable,
    rv: number,
    items: KubeObject[],
    continueToken: string | undefined,
  ): object {
    return {
      kind: `${table.resource.kind}List`,
      apiVersion: apiVersionOf(table.resource),
      metadata: { resourceVersion: String(rv), ...(continueToken ? { continue: continueToken } : {}) },
      items,
    };
  }

  #watch(
    res: ServerResponse,
    table: ResourceTable,
    filter: ObjectFilter,
    query: Record<string, string>,
    record: RecordedRequest,
  ): void {
    const sendInitialEvents = query.sendInitialEvents === 'true';
    const rvParam = query.resourceVersion;
    const from =
      !sendInitialEvents && rvParam !== undefined && rvParam !== '' && rvParam !== '0'
        ? parseNonNegativeInteger(rvParam, 'resourceVersion')
        : undefined;
    const timeoutSeconds = query.timeoutSeconds
      ? parseNonNegativeInteger(query.timeoutSeconds, 'timeoutSeconds')
      : 0;
    const bookmarks = query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1';
    const stream: WatchStream = new WatchStream(res, {
      table,
      filter,
      bookmarkIntervalMs: bookmarks ? this.#bookmarkIntervalMs : undefined,
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined,
      currentRv: () => this.#store.rv,
      onClose: () => this.#watches.delete(stream),
    });
    record.status = 200;
    this.#watches.add(stream);
    stream.open();
    if (from !== undefined) {
      const oldest = this.#store.oldestRv(table);
      if (from < oldest) {
        stream.fail(expired(`too old resource version: ${from} (${oldest})`).toStatus());
        return;
      }
      for (const event of table.eventsAfter(from)) stream.deliver(event);
    } else {
      for (const obj of table.current(filter)) stream.send('ADDED', obj);
      if (sendInitialEvents) stream.bookmark({ 'k8s.io/initial-events-end': 'true' });
    }
    stream.subscribe();
  }

  async #patch(
    req: IncomingMessage,
    res: ServerResponse,
    table: ResourceTable,
    at: ObjectAddress,
    query: Record<string, string>,
    record: RecordedRequest,
    options: { status: boolean; dryRun: boolean },
  ): Promise<void> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const text = await readBody(req);
    switch (contentType) {
      case PatchType.Merge: {
        const patch = parseJson(text);
        return this.#send(
          res,
          record,
          200,
          this.#store.patch(table, at, (cur) => applyMergePatch(cur, patch), options),
        );
      }
      case PatchType.Json: {
        const operations = parseJson(text);
        const transform = (cur: KubeObject): unknown => {
          try {
            return applyJsonPatch(cur, operations);
          } catch (err) {
            if (err instanceof JsonPatchError) throw invalid(table.resource, at.name, err.message);
            throw err;
          }
        };
        return this.#send(res, record, 200, this.#store.patch(table, at, transform, options));
      }
      case PatchType.Apply: {
        if (!query.fieldManager) {
          throw invalid(table.resource, at.name, 'fieldManager: Required value: is required for apply patch');
        }
        let desired: unknown;
        try {
          desired = JSON.parse(text);
        } catch {
          throw badRequest('the fake API server accepts only JSON (not YAML) bodies for server-side apply');
        }
        const result = this.#store.apply(table, at, desired, options);
        return this.#send(res, record, result.created ? 201 : 200, result.object);
      }
      default:
        throw unsupportedMediaType(contentType);
    }
  }

  #sendFailure(res: ServerResponse, record: RecordedRequest, failure: InjectedFailure): void {
    const reason = failure.reason ?? reasonForCode(failure.status);
    const retryAfter = failure.retryAfterSeconds;
    const body = statusBody(
      failure.status,
      reason,
      failure.message ?? `injected failure: ${failure.status} ${reason}`,
      retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : undefined,
    );
    this.#send(
      res,
      record,
      failure.status,
      body,
      retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {},
    );
  }

  #send(
    res: ServerResponse,
    record: RecordedRequest,
    code: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    record.status = code;
    res.writeHead(code, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  #sendText(res: ServerResponse, record: RecordedRequest, code: number, text: string): void {
    record.status = code;
    res.writeHead(code, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}

/**
 * The objects a LIST, WATCH or deleteCollection request addresses: its cluster and namespace, the one name
 * a watch of a single object names, and the label and field selectors of its query.
 */
function requestedObjects(
  cluster: string,
  route: ResourceRoute,
  query: Record<string, string>,
): ObjectFilter {
  return new ObjectFilter({
    cluster,
    namespace: route.namespace,
    name: route.name,
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
  });
}

/** A deep copy of a JSON value (faster than structuredClone for API objects). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text.trim()) throw badRequest('the request has no body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function deletePreconditions(text: string): DeletePreconditions | undefined {
  if (!text.trim()) return undefined;
  const options = parseJson(text) as { preconditions?: DeletePreconditions } | null;
  return options?.preconditions ?? undefined;
}

function parseNonNegativeInteger(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid ${name} "${value}": must be a non-negative integer`);
  return Number(value);
}
