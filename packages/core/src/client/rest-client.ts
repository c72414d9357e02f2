import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { ConnectionPool } from './connection-pool.ts';
import { Credentials, type CredentialsOptions, type ResolvedCredentials } from './credentials.ts';
import { diagnoseConnectionFailure, isTlsOnHttpUrl } from './connection-failure.ts';
import { ApiError, ConnectionError, KubeConfigError, type Status, TimeoutError } from './errors.ts';
import { reportRequestFinished } from './process-request-observers.ts';
import { explainKubeConfigError, isPlainHttpToTlsAnswer, statusHint } from './status-hints.ts';
import type { KubeConfigSource } from './kubeconfig.ts';
import { redact } from './redact.ts';
import { request as undiciRequest } from './undici-parts.ts';
import {
  type RetryPolicy,
  isRetryable,
  isRetryableConnectionFailure,
  retryDelayMs,
  retryPolicy,
} from './retry.ts';

/** HTTP verbs the Kubernetes API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** A query parameter value; `undefined` and `null` are left out. */
export type QueryValue = string | number | boolean | undefined | null;

/** One request to the API server. */
export interface RequestOptions {
  /** Default `GET`. */
  method?: HttpMethod;
  /** Path below the client's server URL, starting with `/` (e.g. `/api/v1/namespaces`). */
  path: string;
  /** Query parameters; `undefined` and `null` values are left out. */
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON (strings are sent as they are). */
  body?: unknown;
  /** Content-Type of the body. Default `application/json`. */
  contentType?: string;
  /** Aborts the request (and its retries); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. For streams it bounds only the wait for response headers. */
  timeoutMs?: number;
}

/** Told about every request a client sends; used for metrics and for asserting connection counts in tests. */
export interface RequestObserver {
  /** A request is about to be sent. `stream` is true for long-lived responses such as watches. */
  requestStarted?(info: RequestInfo): void;
  /** A request finished (for streams: the stream closed). */
  requestFinished?(info: RequestInfo & { status: number | undefined; durationMs: number }): void;
}

/** What a {@link RequestObserver} learns about a request. Never contains credentials. */
export interface RequestInfo {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Full URL including the query. */
  url: string;
  /** True for long-lived responses (watches), which finish when the stream closes. */
  stream: boolean;
}

/** Options for {@link RestClient}. */
export interface RestClientOptions {
  /** Who the client is: resolved (and refreshed) per request. */
  credentials: Credentials;
  /** Base URL; default the kubeconfig cluster's server. May end in a path prefix such as `/clusters/root`. */
  server?: string;
  /** Shared connection pool; default a pool of the client's own (shared with every client derived from it). */
  pool?: ConnectionPool;
  /**
   * Speak HTTP/2 to servers that offer it (kcp and kube-apiserver do, via TLS ALPN), as client-go does:
   * every request and watch to one server then shares one TCP connection. Servers that do not offer it
   * are spoken to in HTTP/1.1, one keep-alive connection per concurrent request. Applies to the pool this
   * client creates (ignored when `pool` is given). Default true; false, or the environment variable
   * `KUBELOOM_HTTP2=0` for clients that do not say, keeps every client on HTTP/1.1.
   */
  http2?: boolean;
  /** Per-request timeout in ms. Default 60 s. */
  timeoutMs?: number;
  /**
   * Retrying of 429 (any verb) and 5xx (idempotent verbs) answers, honouring Retry-After; see
   * {@link RetryPolicy} for the fields and defaults. `false` turns retries off: every error is thrown at once.
   */
  retry?: Partial<RetryPolicy> | false;
  /** Told about each request this client sends; see also observeEveryRequest for every client. */
  observer?: RequestObserver;
  /** User-Agent header; default `kubeloom/<version> (node <version>)`. */
  userAgent?: string;
}

/** An open streaming response (e.g. a watch). Read `body`; call `close()` to end it early. */
export interface ResponseStream {
  /** HTTP status of the response (2xx; other answers are thrown as ApiError). */
  readonly status: number;
  /** The response body as it arrives. */
  readonly body: Readable;
  /** Ends the stream early and releases its connection; safe to call more than once. */
  close(): void;
}

/** Content types for PATCH. */
export const PatchType = {
  /** RFC 7386 JSON merge patch. */
  Merge: 'application/merge-patch+json',
  /** RFC 6902 JSON patch (a list of operations). */
  Json: 'application/json-patch+json',
  /** Kubernetes strategic merge patch (built-in types only). */
  StrategicMerge: 'application/strategic-merge-patch+json',
  /** Server-side apply. Needs a `fieldManager`. */
  Apply: 'application/apply-patch+yaml',
} as const;
/** One of the {@link PatchType} content types. */
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

const userAgentDefault = `kubeloom/0.1 (node ${process.version})`;

/**
 * Low-level HTTP client for a Kubernetes-style API server: JSON in, JSON out, typed errors.
 *
 * - credentials come from a kubeconfig and are resolved single-flight (see {@link Credentials});
 * - connections are pooled per (origin, credential) and shared by every client derived with
 *   {@link RestClient.withServer}, so re-basing onto `/clusters/<name>` or a virtual-workspace URL is free;
 * - 429 (any verb) and 5xx (safe verbs) are retried honouring Retry-After; a 401 refreshes credentials once;
 * - every call takes an AbortSignal and has a timeout.
 */
export class RestClient {
  /** Base URL every path is appended to, without a trailing slash. */
  readonly server: string;
  /** The credentials every request resolves; shared by clients derived with withServer. */
  readonly credentials: Credentials;
  /** The connections requests go over; shared by clients derived with withServer and withObserver. */
  readonly pool: ConnectionPool;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #observer: RequestObserver | undefined;
  readonly #userAgent: string;
  readonly #options: RestClientOptions;

  constructor(options: RestClientOptions) {
    this.#options = options;
    this.credentials = options.credentials;
    this.server = (options.server ?? options.credentials.server).replace(/\/+$/, '');
    this.pool =
      options.pool ?? new ConnectionPool(options.http2 === undefined ? {} : { allowH2: options.http2 });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#retry = retryPolicy(options.retry);
    this.#observer = options.observer;
    this.#userAgent = options.userAgent ?? userAgentDefault;
  }

  /** A client for a kubeconfig's current context (see {@link loadKubeConfig} for `source`). */
  static fromKubeConfig(
    source: KubeConfigSource = {},
    options: Omit<RestClientOptions, 'credentials'> & CredentialsOptions = {},
  ): RestClient {
    const credentials = Credentials.fromKubeConfig(source, options);
    return new RestClient({ ...options, credentials });
  }

  /**
   * The same client pointed at another base URL (same credentials, same connection pool). `url` is either
   * absolute (`https://host:6443/services/apiexport/...`) or a path that replaces this client's path on the
   * same origin (`/clusters/root:org`).
   */
  withServer(url: string): RestClient {
    const server = url.startsWith('/') ? new URL(this.server).origin + url : url;
    return new RestClient({ ...this.#options, server, pool: this.pool });
  }

  /** The same client with another request observer. */
  withObserver(observer: RequestObserver | undefined): RestClient {
    const { observer: _old, ...rest } = this.#options;
    return new RestClient({
      ...rest,
      ...(observer ? { observer } : {}),
      server: this.server,
      pool: this.pool,
    });
  }

  /** Full URL for a path and query. */
  url(path: string, query?: Readonly<Record<string, QueryValue>>): string {
    let url = this.server + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null) params.append(k, String(v));
      }
      const qs = params.toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    return url;
  }

  /** Sends a request and parses the JSON response; `undefined` for an empty body. Throws {@link ApiError} on non-2xx. */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const method = options.method ?? 'GET';
    const url = this.url(options.path, options.query);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    let refreshed = false;
    let waitedMs = 0;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const info: RequestInfo = { method, url, stream: false };
      this.#observer?.requestStarted?.(info);
      let status: number | undefined;
      try {
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
        const res = await this.#send(method, url, options, signal, timeout, timeoutMs);
        status = res.statusCode;
        if (status >= 200 && status < 300) {
          const text = await res.body.text();
          return (text ? JSON.parse(text) : undefined) as T;
        }
        const error = await this.#toApiError(method, url, status, res.body, res.headers['retry-after']);
        if (status === 401 && !refreshed) {
          refreshed = true;
          this.credentials.invalidate();
          continue;
        }
        if (isRetryable(method, status)) {
          const retryAfter =
            headerValue(res.headers['retry-after']) ??
            (error.details?.retryAfterSeconds !== undefined
              ? String(error.details.retryAfterSeconds)
              : undefined);
          const waited = await this.#waitBeforeRetry(attempt, retryAfter, waitedMs, options.signal);
          if (waited !== undefined) {
            waitedMs = waited;
            continue;
          }
        }
        throw error;
      } catch (err) {
        if (err instanceof ApiError || err instanceof TimeoutError || err instanceof ConnectionError)
          throw err;
        if (options.signal?.aborted) throw options.signal.reason ?? err;
        if (isRetryableConnectionFailure(method, err) && !(await isTlsOnHttpUrl(url, err))) {
          const waited = await this.#waitBeforeRetry(attempt, undefined, waitedMs, options.signal);
          if (waited !== undefined) {
            waitedMs = waited;
            continue;
          }
        }
        throw await this.#failure(method, url, err);
      } finally {
        reportRequestFinished(this.#observer, { ...info, status, durationMs: performance.now() - started });
      }
    }
  }

  /**
   * Opens a streaming request (a watch) and returns once response headers arrived. The body has no
   * overall timeout; detecting a silent stream is the caller's job (see the watcher's inactivity timeout).
   */
  async stream(options: RequestOptions): Promise<ResponseStream> {
    const method = options.method ?? 'GET';
    const url = this.url(options.path, options.query);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) throw options.signal.reason;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const info: RequestInfo = { method, url, stream: true };
    const started = performance.now();
    this.#observer?.requestStarted?.(info);
    let status: number | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      options.signal?.removeEventListener('abort', onAbort);
      reportRequestFinished(this.#observer, { ...info, status, durationMs: performance.now() - started });
    };
    const headerTimer = setTimeout(
      () => controller.abort(new TimeoutError(method, url, timeoutMs)),
      timeoutMs,
    );
    try {
      let res = await this.#send(method, url, options, controller.signal, undefined, timeoutMs, true);
      if (res.statusCode === 401) {
        await res.body.dump();
        this.credentials.invalidate();
        res = await this.#send(method, url, options, controller.signal, undefined, timeoutMs, true);
      }
      status = res.statusCode;
      clearTimeout(headerTimer);
      if (status < 200 || status >= 300) {
        throw await this.#toApiError(method, url, status, res.body, res.headers['retry-after']);
      }
      const body = res.body as unknown as Readable;
      body.once('close', finish);
      return {
        status,
        body,
        close: () => {
          controller.abort();
          body.destroy();
          finish();
        },
      };
    } catch (err) {
      clearTimeout(headerTimer);
      finish();
      if (err instanceof ApiError || err instanceof ConnectionError) throw err;
      if (controller.signal.reason instanceof TimeoutError && !(err instanceof KubeConfigError)) {
        throw controller.signal.reason;
      }
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw await this.#failure(method, url, err);
    }
  }

  /**
   * Sleeps before retry number `attempt` and returns the new total of waits, or returns undefined without
   * waiting when retries are used up or the wait would overrun `retry.maxTotalWaitMs` (the caller then
   * throws at once rather than after a wait that cannot end in a retry).
   */
  async #waitBeforeRetry(
    attempt: number,
    retryAfter: string | undefined,
    waitedMs: number,
    signal: AbortSignal | undefined,
  ): Promise<number | undefined> {
    if (attempt >= this.#retry.maxRetries) return undefined;
    const delay = retryDelayMs(attempt, retryAfter, this.#retry);
    if (waitedMs + delay > this.#retry.maxTotalWaitMs) return undefined;
    await sleep(delay, undefined, signal ? { signal } : {});
    return waitedMs + delay;
  }

  async #send(
    method: HttpMethod,
    url: string,
    options: RequestOptions,
    signal: AbortSignal,
    timeoutSignal: AbortSignal | undefined,
    timeoutMs: number,
    stream = false,
  ) {
    let creds: ResolvedCredentials;
    try {
      // The wait for credentials (an exec plugin may be running) ends with the request's own signal.
      creds = await untilAborted(this.credentials.resolve(), signal);
    } catch (err) {
      // The request's timeout ran out while credentials were still being obtained: blame them, not the server.
      const timedOut = timeoutSignal?.aborted === true || signal.reason instanceof TimeoutError;
      if (timedOut && !options.signal?.aborted) throw this.credentials.stillResolvingError(timeoutMs);
      throw err;
    }
    const headers: Record<string, string> = {
      ...creds.headers,
      Accept: 'application/json',
      'User-Agent': this.#userAgent,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
    }
    try {
      return await undiciRequest(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal,
        dispatcher: this.pool.dispatcher(new URL(url).origin, creds),
        headersTimeout: timeoutMs,
        // Streams are watched for inactivity by their reader; plain requests are bounded by the timeout signal.
        bodyTimeout: stream ? 0 : timeoutMs,
      });
    } catch (err) {
      if (timeoutSignal?.aborted && !options.signal?.aborted) throw new TimeoutError(method, url, timeoutMs);
      throw err;
    }
  }

  /**
   * The error to throw for a request that got no HTTP answer: a {@link ConnectionError} that says which of the
   * ways to fail this was (probing where error codes are ambiguous), or the kubeconfig's error.
   */
  async #failure(method: string, url: string, err: unknown): Promise<Error> {
    if (err instanceof KubeConfigError)
      return explainKubeConfigError(err, this.credentials.server, this.credentials.description);
    const diagnosis = await diagnoseConnectionFailure(url, err, {
      kubeconfig: this.credentials.description,
      // From the kubeconfig, not from resolving credentials: that may run an exec plugin.
      servername: this.credentials.kubeConfig.getCurrentCluster()?.tlsServerName,
    });
    return new ConnectionError(method, url, err, diagnosis);
  }

  async #toApiError(
    method: string,
    url: string,
    code: number,
    body: { text(): Promise<string> },
    retryAfter?: string | string[],
  ): Promise<ApiError> {
    let text = '';
    try {
      text = await body.text();
    } catch {
      // The status line is enough to report.
    }
    let status: Status;
    try {
      const parsed = JSON.parse(text) as Status;
      status = parsed && typeof parsed === 'object' ? parsed : { message: text };
    } catch {
      status = { message: text.slice(0, 500) };
    }
    if (status.message) status.message = redact(status.message, this.credentials.secrets());
    if (isPlainHttpToTlsAnswer(code, url, text)) {
      const answer = redact(text.trim().slice(0, 200), this.credentials.secrets());
      throw new ConnectionError(method, url, new Error(`${code}: ${answer}`), {
        reason: 'TlsOnHttpUrl',
        kubeconfig: this.credentials.description,
      });
    }
    const hint = statusHint(code, url, this.credentials.description);
    if (hint) status.message = `${status.message ? `${status.message}; ` : ''}${hint}`;
    const after = headerValue(retryAfter);
    const seconds = after !== undefined ? Number(after) : Number.NaN;
    return new ApiError({
      code,
      status,
      method,
      url,
      retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
    });
  }
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
