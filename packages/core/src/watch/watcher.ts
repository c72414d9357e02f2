import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from 'rxjs';
import type { Client } from '../client/client.ts';
import { ApiError, ConnectionError, type Status, isGone } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, resourcePath } from '../client/resource.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { LineSplitter } from './line-splitter.ts';
import type { RawWatchEvent } from './raw-watch-event.ts';
import type { WatchEvent } from './watch-event.ts';

/** Options for {@link watchResource}. */
export interface WatcherOptions {
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** LIST page size. Default 500. */
  pageSize?: number;
  /**
   * Server-side watch timeout; each watch asks for a random value between this and twice this, so that
   * many watchers do not reconnect in lockstep (as client-go does). Default 300 s.
   */
  serverTimeoutSeconds?: number;
  /**
   * A watch that delivers nothing (not even a bookmark) for this long is considered dead and reopened from
   * the last resourceVersion. Must exceed the server's bookmark interval (about 60 s). Default 90 s.
   */
  inactivityTimeoutMs?: number;
  /** Backoff after errors. Default 800 ms doubling to 30 s with jitter, reset after 2 min without errors. */
  backoff?: BackoffOptions;
  /** Ask for BOOKMARK events. Default true. */
  bookmarks?: boolean;
}

/**
 * Lists and then watches a resource for as long as the returned Observable is subscribed.
 *
 * - LIST is paged; WATCH starts from the list's resourceVersion with bookmarks, and every event (bookmarks
 *   included) advances the resourceVersion, so a dropped connection resumes without a relist;
 * - 410 Gone / Expired (HTTP or an ERROR event) and "too large resource version" trigger a relist; the
 *   consumer sees `init` … `initDone` again and drops objects that were not re-listed;
 * - any other failure is emitted as an `error` event and retried with backoff (a 429's Retry-After is
 *   honoured). The Observable never errors and never completes on its own; unsubscribe to stop it.
 */
export function watchResource<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  options: WatcherOptions = {},
): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    const controller = new AbortController();
    const loop = new WatchLoop(
      client,
      resource,
      options,
      (event) => subscriber.next(event),
      controller.signal,
    );
    loop.run().catch((err: unknown) => {
      // The loop handles its own errors; reaching here is a bug, reported rather than lost.
      if (!controller.signal.aborted) subscriber.error(err);
    });
    return () => controller.abort();
  });
}

/** Why a single watch request ended. */
type WatchOutcome = { kind: 'reconnect' } | { kind: 'relist' } | { kind: 'failed'; error: Error };

class WatchLoop<T extends KubeObject> {
  readonly #client: Client;
  readonly #resource: ResourceDescriptor<T>;
  readonly #options: WatcherOptions;
  readonly #emit: (event: WatchEvent<T>) => void;
  readonly #signal: AbortSignal;
  readonly #backoff: Backoff;
  #resourceVersion: string | undefined;

  constructor(
    client: Client,
    resource: ResourceDescriptor<T>,
    options: WatcherOptions,
    emit: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ) {
    this.#client = client;
    this.#resource = resource;
    this.#options = options;
    this.#emit = emit;
    this.#signal = signal;
    this.#backoff = new Backoff(options.backoff);
  }

  async run(): Promise<void> {
    while (!this.#signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) await this.#list();
        const outcome = await this.#watch(this.#resourceVersion as string);
        if (outcome.kind === 'relist') this.#resourceVersion = undefined;
        if (outcome.kind === 'failed') throw outcome.error;
      } catch (err) {
        if (this.#signal.aborted) return;
        if (needsRelist(err)) {
          this.#resourceVersion = undefined;
          continue;
        }
        const error = err instanceof Error ? err : new Error(String(err));
        const retryInMs = Math.max(
          this.#backoff.next(),
          err instanceof ApiError ? (err.retryAfterMs ?? 0) : 0,
        );
        this.#emit({ type: 'error', error, retryInMs });
        await sleep(retryInMs, undefined, { signal: this.#signal }).catch(() => undefined);
      }
    }
  }

  async #list(): Promise<void> {
    const listOptions = {
      ...(this.#options.namespace ? { namespace: this.#options.namespace } : {}),
      ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
      ...(this.#options.fieldSelector ? { fieldSelector: this.#options.fieldSelector } : {}),
      limit: this.#options.pageSize ?? 500,
      signal: this.#signal,
    };
    for (let attempt = 0; ; attempt++) {
      this.#emit({ type: 'init' });
      let continueToken: string | undefined;
      let resourceVersion = '';
      try {
        do {
          const page = await this.#client.listPage(this.#resource, {
            ...listOptions,
            continue: continueToken,
          });
          if (!continueToken) resourceVersion = page.metadata.resourceVersion ?? '';
          for (const object of page.items) this.#emit({ type: 'initApply', object });
          continueToken = page.metadata.continue || undefined;
        } while (continueToken);
      } catch (err) {
        // An expired continue token: start the list over (the consumer sees a fresh `init`).
        if (continueToken && isGone(err) && attempt < 3) continue;
        throw err;
      }
      this.#resourceVersion = resourceVersion;
      this.#backoff.reset();
      this.#emit({ type: 'initDone', resourceVersion });
      return;
    }
  }

  async #watch(resourceVersion: string): Promise<WatchOutcome> {
    const base = this.#options.serverTimeoutSeconds ?? 300;
    const stream = await this.#client.rest.stream({
      path: resourcePath(this.#resource, { namespace: this.#options.namespace }),
      query: {
        watch: 1,
        resourceVersion,
        allowWatchBookmarks: this.#options.bookmarks ?? true,
        timeoutSeconds: Math.floor(base * (1 + Math.random())),
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
      },
      signal: this.#signal,
    });
    const inactivityMs = this.#options.inactivityTimeoutMs ?? 90_000;
    return new Promise<WatchOutcome>((resolve) => {
      const splitter = new LineSplitter();
      let lastActivity = Date.now();
      let settled = false;
      const finish = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        clearInterval(idleCheck);
        stream.close();
        resolve(outcome);
      };
      // One interval per watch instead of re-arming a timer on every chunk.
      const idleCheck = setInterval(
        () => {
          if (Date.now() - lastActivity >= inactivityMs) finish({ kind: 'reconnect' });
        },
        Math.max(10, Math.min(inactivityMs / 4, 5_000)),
      );
      idleCheck.unref();
      const onLine = (line: string): void => {
        if (settled) return;
        let event: RawWatchEvent<T>;
        try {
          event = JSON.parse(line) as RawWatchEvent<T>;
        } catch {
          this.#emit({
            type: 'error',
            error: new Error(
              `undecodable watch line from ${this.#client.rest.server}: ${line.slice(0, 120)}`,
            ),
            retryInMs: 0,
          });
          return;
        }
        this.#handle(event, finish);
      };
      stream.body.on('data', (chunk: Uint8Array) => {
        lastActivity = Date.now();
        splitter.push(chunk, onLine);
      });
      stream.body.once('end', () => {
        splitter.flush(onLine);
        finish({ kind: 'reconnect' });
      });
      stream.body.once('error', (err: Error) => {
        if (this.#signal.aborted) finish({ kind: 'reconnect' });
        else
          finish({
            kind: 'failed',
            error: new ConnectionError('GET', `${this.#client.rest.server} (watch)`, err),
          });
      });
    });
  }

  #handle(event: RawWatchEvent<T>, finish: (outcome: WatchOutcome) => void): void {
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.#advance(event.object);
        this.#emit({ type: 'apply', object: event.object });
        return;
      case 'DELETED':
        this.#advance(event.object);
        this.#emit({ type: 'delete', object: event.object });
        return;
      case 'BOOKMARK':
        this.#advance(event.object);
        return;
      case 'ERROR': {
        const status: Status = event.object ?? {};
        const error = new ApiError({
          code: status.code ?? 500,
          status,
          method: 'GET',
          url: `${this.#client.rest.server}${resourcePath(this.#resource, { namespace: this.#options.namespace })} (watch)`,
        });
        finish(needsRelist(error) ? { kind: 'relist' } : { kind: 'failed', error });
        return;
      }
      default:
        this.#emit({
          type: 'error',
          error: new Error(`unknown watch event type ${JSON.stringify((event as { type?: unknown }).type)}`),
          retryInMs: 0,
        });
    }
  }

  #advance(object: KubeObject | undefined): void {
    const rv = object?.metadata?.resourceVersion;
    if (rv) this.#resourceVersion = rv;
  }
}

/** 410 Gone/Expired, or a resourceVersion the server has not reached ("too large resource version"). */
function needsRelist(err: unknown): boolean {
  if (isGone(err)) return true;
  if (!(err instanceof ApiError)) return false;
  const causes = err.status.details?.causes ?? [];
  return (
    causes.some((c) => c.reason === 'ResourceVersionTooLarge' || c.type === 'ResourceVersionTooLarge') ||
    /too large resource version/i.test(err.status.message ?? '')
  );
}
