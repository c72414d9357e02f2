import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from 'rxjs/internal/Observable';
import type { Client } from '../client/client.ts';
import { ApiError, type Status, isGone } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import { type ResourceDescriptor, resourcePath } from '../client/resource.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { LineSplitter } from './line-splitter.ts';
import { onEveryTick } from './shared-ticker.ts';
import { HttpLivenessProbe, type WatchLivenessProbe } from './liveness.ts';
import type { RawWatchEvent } from './raw-watch-event.ts';
import { type WatchFailedError, type WatchPhase, WatchStalledError, watchFailure } from './watch-errors.ts';
import type { WatchEvent } from './watch-event.ts';

/** Options for {@link watchResource}. */
export interface WatcherOptions {
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  /** Only objects whose labels match, e.g. `app=shop` (the server filters). */
  labelSelector?: string;
  /** Only objects whose fields match, e.g. `metadata.name=shop` (the server filters). */
  fieldSelector?: string;
  /** LIST page size. Default 500. */
  pageSize?: number;
  /**
   * Server-side watch timeout; each watch asks for a random value between this and twice this, so that
   * many watchers do not reconnect in lockstep (as client-go does). Default 300 s.
   */
  serverTimeoutSeconds?: number;
  /**
   * A watch that has delivered nothing (not even a bookmark) for this long has its server probed (see
   * `livenessProbe`); only if the probe gets no answer is the watch given up and reopened from its last
   * resourceVersion. A quiet watch whose server answers stays open. Default 20 s.
   */
  inactivityTimeoutMs?: number;
  /** How long the liveness probe may take before the connection is taken for dead. Default 5 s. */
  livenessProbeTimeoutMs?: number;
  /** Tells a dead connection from a quiet one. Default: {@link HttpLivenessProbe} on the client's server. */
  livenessProbe?: WatchLivenessProbe;
  /**
   * Retry delays after errors. Default: 250 ms doubling, capped at 1 s for the first 10 s of an outage and
   * at 3 s until it is a minute old, then doubling to 30 s; shortened by up to 25 % at random. The outage
   * ends once a watch is healthy again (it delivered an event or stayed open for `healthyAfterMs`).
   */
  backoff?: BackoffOptions;
  /** A watch that stays open this long counts as healthy even without events. Default 2 s. */
  healthyAfterMs?: number;
  /** How long to wait for a watch's response headers. Default 30 s. */
  watchOpenTimeoutMs?: number;
  /** Ask for BOOKMARK events. Default true. */
  bookmarks?: boolean;
}

/** An error that repeats the previous one is reported again after this long, as a reminder. */
const REPEAT_REMINDER_MS = 5 * 60_000;

/**
 * Lists and then watches a resource for as long as the returned Observable is subscribed.
 *
 * - LIST is paged; WATCH starts from the list's resourceVersion with bookmarks, and every event (bookmarks
 *   included) advances the resourceVersion, so a dropped connection resumes without a relist;
 * - 410 Gone / Expired (HTTP or an ERROR event) and "too large resource version" trigger a relist; the
 *   consumer sees `init` (with the reason) … `initDone` again and drops objects that were not re-listed;
 * - any other failure is emitted as an `error` event (a {@link WatchFailedError} naming the resource and
 *   URL; a 404 is a {@link ResourceNotServedError}) and retried with {@link Backoff} (a 429's Retry-After
 *   is honoured). An error equal to the previous one is marked `repeated`;
 * - a watch that goes silent is checked with a liveness probe and reopened if its server does not answer
 *   ({@link WatchStalledError}).
 *
 * The Observable never errors and never completes on its own; unsubscribe to stop it.
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

/** Why a single watch request ended; `healthy` says whether it had been working before it ended. */
type WatchOutcome =
  | { kind: 'reconnect'; healthy: boolean }
  | { kind: 'relist'; reason: string }
  | { kind: 'failed'; error: Error };

class WatchLoop<T extends KubeObject> {
  readonly #client: Client;
  readonly #resource: ResourceDescriptor<T>;
  readonly #options: WatcherOptions;
  readonly #emit: (event: WatchEvent<T>) => void;
  readonly #signal: AbortSignal;
  readonly #backoff: Backoff;
  readonly #probe: WatchLivenessProbe;
  /** Collection URL for messages: no resourceVersion or other per-request noise, so repeats compare equal. */
  readonly #url: string;
  #resourceVersion: string | undefined;
  #relistReason: string | undefined;
  #lastReported: { message: string; at: number } | undefined;

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
    this.#probe = options.livenessProbe ?? new HttpLivenessProbe(client.rest);
    this.#url = client.rest.url(this.#path, {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
  }

  get #path(): string {
    return resourcePath(this.#resource, { namespace: this.#options.namespace });
  }

  async run(): Promise<void> {
    while (!this.#signal.aborted) {
      let phase: WatchPhase = 'list';
      try {
        if (this.#resourceVersion === undefined) await this.#list();
        phase = 'watch';
        const outcome = await this.#watch(this.#resourceVersion as string);
        if (outcome.kind === 'relist') {
          this.#relist(outcome.reason);
          continue;
        }
        if (outcome.kind === 'failed') throw outcome.error;
        // A watch the server ended at once (before it was healthy) must not turn into a busy loop.
        if (!outcome.healthy) await this.#sleep(this.#backoff.next());
      } catch (err) {
        if (this.#signal.aborted) return;
        if (needsRelist(err)) {
          this.#relist(err instanceof Error ? err.message : String(err));
          continue;
        }
        const error = watchFailure(this.#resource, this.#url, phase, err);
        const retryInMs = Math.max(
          this.#backoff.next(Date.now(), err instanceof ApiError),
          err instanceof ApiError ? (err.retryAfterMs ?? 0) : 0,
        );
        this.#report(error, retryInMs);
        await this.#sleep(retryInMs);
      }
    }
  }

  #relist(reason: string): void {
    this.#resourceVersion = undefined;
    this.#relistReason = reason;
  }

  #sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#signal }).catch(() => undefined);
  }

  /** Emits an error event, marked `repeated` when it says the same as the last one reported. */
  #report(error: WatchFailedError, retryInMs: number): void {
    const now = Date.now();
    const last = this.#lastReported;
    const repeated = last?.message === error.message && now - last.at < REPEAT_REMINDER_MS;
    if (!repeated) this.#lastReported = { message: error.message, at: now };
    this.#emit({ type: 'error', error, retryInMs, repeated });
  }

  /** The watch works again: the next failure starts a new outage, and its first error is reported afresh. */
  #healthy(): void {
    this.#backoff.succeeded();
    this.#lastReported = undefined;
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
      const reason = this.#relistReason;
      this.#emit(reason === undefined ? { type: 'init' } : { type: 'init', reason });
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
        if (continueToken && isGone(err) && attempt < 3) {
          this.#relistReason = err instanceof Error ? err.message : String(err);
          continue;
        }
        throw err;
      }
      this.#resourceVersion = resourceVersion;
      this.#relistReason = undefined;
      this.#emit({ type: 'initDone', resourceVersion });
      return;
    }
  }

  async #watch(resourceVersion: string): Promise<WatchOutcome> {
    const base = this.#options.serverTimeoutSeconds ?? 300;
    const stream = await this.#client.rest.stream({
      path: this.#path,
      query: {
        watch: 1,
        resourceVersion,
        allowWatchBookmarks: this.#options.bookmarks ?? true,
        timeoutSeconds: Math.floor(base * (1 + Math.random())),
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
      },
      signal: this.#signal,
      timeoutMs: this.#options.watchOpenTimeoutMs ?? 30_000,
    });
    const quietMs = this.#options.inactivityTimeoutMs ?? 20_000;
    const probeTimeoutMs = this.#options.livenessProbeTimeoutMs ?? 5_000;
    const healthyAfterMs = this.#options.healthyAfterMs ?? 2_000;
    // Quiet watches are looked at on a timer shared by every watch with the same period (one wake-up of an
    // idle process per period, not one per watch); a quarter of the inactivity timeout, at most 5 s.
    const checkEveryMs = Math.max(10, Math.min(quietMs / 4, 5_000));
    return new Promise<WatchOutcome>((resolve) => {
      const splitter = new LineSplitter();
      const opened = Date.now();
      let lastActivity = opened;
      let lastProbeAnswered = opened;
      let probing = false;
      let healthy = false;
      let settled = false;
      const markHealthy = (): void => {
        if (healthy) return;
        healthy = true;
        this.#healthy();
      };
      const finish = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(healthyTimer);
        stopChecking();
        stream.close();
        resolve(outcome);
      };
      const probe = (now: number): void => {
        probing = true;
        this.#probe.check({ since: now - checkEveryMs, timeoutMs: probeTimeoutMs }).then(
          (result) => {
            probing = false;
            if (settled) return;
            if (result.alive) lastProbeAnswered = Date.now();
            else
              finish({
                kind: 'failed',
                error: new WatchStalledError({
                  resource: this.#resource,
                  url: this.#url,
                  silentMs: Date.now() - lastActivity,
                  probeFailure: result.reason,
                }),
              });
          },
          () => {
            probing = false;
          },
        );
      };
      const healthyTimer = setTimeout(markHealthy, healthyAfterMs);
      healthyTimer.unref();
      // A shared tick instead of re-arming a timer on every chunk.
      const stopChecking = onEveryTick(checkEveryMs, () => {
        const now = Date.now();
        if (!probing && now - lastActivity >= quietMs && now - lastProbeAnswered >= quietMs) probe(now);
      });
      const onLine = (line: string): void => {
        if (settled) return;
        let event: RawWatchEvent<T>;
        try {
          event = JSON.parse(line) as RawWatchEvent<T>;
        } catch (err) {
          this.#report(
            watchFailure(
              this.#resource,
              this.#url,
              'watch',
              new Error(`undecodable watch line ${JSON.stringify(line.slice(0, 120))}: ${String(err)}`),
            ),
            0,
          );
          return;
        }
        // Anything but an ERROR proves the watch works (an ERROR right away must not reset the backoff).
        if (event.type !== 'ERROR') markHealthy();
        this.#handle(event, finish);
      };
      stream.body.on('data', (chunk: Uint8Array) => {
        lastActivity = Date.now();
        splitter.push(chunk, onLine);
      });
      stream.body.once('end', () => {
        splitter.flush(onLine);
        finish({ kind: 'reconnect', healthy });
      });
      stream.body.once('error', (err: Error) => {
        if (this.#signal.aborted) finish({ kind: 'reconnect', healthy });
        else finish({ kind: 'failed', error: watchFailure(this.#resource, this.#url, 'watch', err) });
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
        const error = new ApiError({ code: status.code ?? 500, status, method: 'GET', url: this.#url });
        finish(needsRelist(error) ? { kind: 'relist', reason: error.message } : { kind: 'failed', error });
        return;
      }
      default:
        this.#report(
          watchFailure(
            this.#resource,
            this.#url,
            'watch',
            new Error(`unknown watch event type ${JSON.stringify((event as { type?: unknown }).type)}`),
          ),
          0,
        );
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
