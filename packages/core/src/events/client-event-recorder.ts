import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type PQueue from 'p-queue';
import { type Event, EventResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { isForbidden, isNotFound } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import type { EventRecord, EventRecorder } from './event-recorder.ts';
import { eventWriteQueue } from './event-write-queue.ts';
import { type Logger, silentLogger } from '../log/logger.ts';

/** Options for {@link ClientEventRecorder}. */
export interface ClientEventRecorderOptions {
  /** `source.component` and `reportingComponent` of the events, e.g. the operator's name. */
  component: string;
  /** `source.host` and `reportingInstance`. Default the machine's hostname (the pod name in Kubernetes). */
  host?: string;
  /** Where failures to record are reported. */
  logger?: Logger;
  /** Stops recording when aborted (the cluster disengaged); writes already started still finish. */
  signal?: AbortSignal;
  /**
   * An event identical to one recorded less than this long ago (same object, type, reason, action and
   * message) increments the existing Event's `count` instead of creating a new one. Default 10 minutes,
   * client-go's aggregation interval.
   */
  aggregationWindowMs?: number;
  /** How many distinct events are remembered for aggregation. Default 4096 (client-go's cache size). */
  maxTracked?: number;
  /** Timeout of each API call. Default 10 s. */
  timeoutMs?: number;
  /**
   * Waits before trying again a write refused with 403, one per retry. A refusal in the first moments of a
   * cluster often passes by itself: kcp admits a provider into a workspace a moment after its APIBinding
   * appears, and a freshly granted Role takes a moment to reach the API server's authorizer. Only once
   * these are used up is the failure logged. Default `[250, 1000, 2000]`; `[]` logs at once.
   */
  forbiddenRetryDelaysMs?: readonly number[];
  /** Clock; tests pin it. Default `Date.now`. */
  now?: () => number;
}

/** One remembered event and the state of its Event object on the server. */
interface Tracked {
  namespace: string;
  name: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** The Event object exists on the server with this name. */
  created: boolean;
  /** A later record has not been written yet. */
  dirty: boolean;
  writing: boolean;
  readonly object: KubeObject;
  readonly event: EventRecord;
}

const MAX_MESSAGE = 1024;
const MAX_NAME = 253;

let machineHostname: string | undefined;
/** The hostname, asked once per process: a recorder is made per engaged cluster, and it is a system call. */
function defaultHost(): string {
  machineHostname ??= hostname();
  return machineHostname;
}

/**
 * Records core/v1 Events through a cluster's client, like client-go's event broadcaster with its
 * correlator: repeats of the same event within {@link ClientEventRecorderOptions.aggregationWindowMs} bump
 * `count` and `lastTimestamp` with a merge PATCH instead of creating another Event, so a reconciler that
 * records on every retry does not flood etcd. Writes of one event are serialised and coalesced (ten repeats
 * while a write is in flight become one PATCH).
 *
 * Recorders whose clients share a connection pool (every engaged cluster of a provider) write at most
 * `EVENT_WRITES_PER_POOL` Events at once between them; the rest wait their turn.
 *
 * `record` never throws and never waits: failures (e.g. no RBAC for events) are logged. Cluster-scoped
 * objects get their Events in the `default` namespace, as kubectl and client-go expect.
 */
export class ClientEventRecorder implements EventRecorder {
  readonly #client: Client;
  readonly #component: string;
  readonly #host: string;
  readonly #logger: Logger;
  readonly #signal: AbortSignal | undefined;
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  readonly #forbiddenRetryDelaysMs: readonly number[];
  readonly #now: () => number;
  readonly #maxTracked: number;
  /** Made on the first record: most clusters of a large fleet never record an Event. */
  #trackedCache: LRUCache<string, Tracked> | undefined;
  #inflightWrites: Set<Promise<void>> | undefined;

  constructor(client: Client, options: ClientEventRecorderOptions) {
    this.#client = client;
    this.#component = options.component;
    this.#host = options.host ?? defaultHost();
    this.#logger = options.logger ?? silentLogger;
    this.#signal = options.signal;
    this.#windowMs = options.aggregationWindowMs ?? 600_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#forbiddenRetryDelaysMs = options.forbiddenRetryDelaysMs ?? [250, 1000, 2000];
    this.#now = options.now ?? Date.now;
    this.#maxTracked = options.maxTracked ?? 4096;
  }

  get #tracked(): LRUCache<string, Tracked> {
    // Bounded by size, not `max`: with `max` lru-cache allocates all its slots up front (~80 KiB for 4096),
    // and every engaged workspace has a recorder of its own, most of which record few Events.
    this.#trackedCache ??= new LRUCache({ maxSize: this.#maxTracked, sizeCalculation: () => 1 });
    return this.#trackedCache;
  }

  /** Shared with every recorder whose client uses the same connections: see `EVENT_WRITES_PER_POOL`. */
  get #writes(): PQueue {
    return eventWriteQueue(this.#client.rest.pool);
  }

  get #inflight(): Set<Promise<void>> {
    this.#inflightWrites ??= new Set();
    return this.#inflightWrites;
  }

  /** Records `event` about `object`: a repeat within the aggregation window raises the count of the Event already written. */
  record(object: KubeObject, event: EventRecord): void {
    try {
      if (this.#signal?.aborted) return;
      const meta = object.metadata;
      if (!meta?.name) {
        this.#logger.warn(
          { reason: event.reason, kind: object.kind },
          'cannot record an event about an object without metadata.name',
        );
        return;
      }
      const namespace = meta.namespace || 'default';
      const message = truncate(event.message, MAX_MESSAGE);
      const key = [
        namespace,
        object.apiVersion,
        object.kind,
        meta.name,
        meta.uid,
        event.type,
        event.reason,
        event.action ?? '',
        message,
      ].join('\u0000');
      const now = this.#now();
      let tracked = this.#tracked.get(key);
      if (tracked && now - tracked.lastSeen < this.#windowMs) {
        tracked.count++;
        tracked.lastSeen = now;
      } else {
        tracked = {
          namespace,
          name: eventName(meta.name),
          count: 1,
          firstSeen: now,
          lastSeen: now,
          created: false,
          dirty: false,
          writing: false,
          object,
          event: { ...event, message },
        };
        this.#tracked.set(key, tracked);
      }
      tracked.dirty = true;
      if (!tracked.writing) this.#track(this.#writeLoop(key, tracked));
    } catch (error) {
      this.#logger.error({ err: error, reason: event.reason }, 'recording an event failed');
    }
  }

  /** Resolves when every write started so far has finished (for tests and for an orderly shutdown). */
  async flush(): Promise<void> {
    if (!this.#inflightWrites) return;
    while (this.#inflightWrites.size > 0) await Promise.allSettled(this.#inflightWrites);
  }

  #track(promise: Promise<void>): void {
    this.#inflight.add(promise);
    void promise.finally(() => this.#inflight.delete(promise));
  }

  async #writeLoop(key: string, tracked: Tracked): Promise<void> {
    tracked.writing = true;
    try {
      while (tracked.dirty) {
        tracked.dirty = false;
        if (tracked.created) {
          try {
            await this.#retryingForbidden(() =>
              this.#writes.add(() =>
                this.#client.patch(
                  EventResource,
                  tracked.name,
                  { count: tracked.count, lastTimestamp: rfc3339(tracked.lastSeen) },
                  { namespace: tracked.namespace, timeoutMs: this.#timeoutMs },
                ),
              ),
            );
          } catch (error) {
            if (!isNotFound(error)) throw error;
            // The Event expired (the API server keeps them for an hour) or was deleted: start a new one.
            tracked.created = false;
            tracked.name = eventName(tracked.object.metadata?.name ?? 'unknown');
            tracked.count = 1;
            tracked.firstSeen = tracked.lastSeen;
            tracked.dirty = true;
          }
        } else {
          await this.#retryingForbidden(() =>
            this.#writes.add(() =>
              this.#client.create(EventResource, this.#newEvent(tracked), {
                namespace: tracked.namespace,
                timeoutMs: this.#timeoutMs,
              }),
            ),
          );
          tracked.created = true;
        }
      }
    } catch (error) {
      // Forget it, so that the next occurrence tries again from scratch.
      if (this.#tracked.get(key) === tracked) this.#tracked.delete(key);
      const meta = tracked.object.metadata;
      this.#logger.warn(
        {
          err: error,
          kind: tracked.object.kind,
          namespace: meta?.namespace,
          name: meta?.name,
          reason: tracked.event.reason,
        },
        'could not record event (does the controller have RBAC to create and patch events?)',
      );
    } finally {
      tracked.writing = false;
    }
  }

  /** `write`, tried again after each of the forbidden-retry delays while it is refused with 403. */
  async #retryingForbidden<T>(write: () => Promise<T>): Promise<T> {
    for (const delayMs of this.#forbiddenRetryDelaysMs) {
      try {
        return await write();
      } catch (error) {
        if (!isForbidden(error) || this.#signal?.aborted) throw error;
        await sleep(delayMs);
      }
    }
    return write();
  }

  #newEvent(tracked: Tracked): Event {
    const { object, event } = tracked;
    const meta = object.metadata ?? {};
    return {
      metadata: { name: tracked.name, namespace: tracked.namespace },
      involvedObject: {
        ...(object.apiVersion ? { apiVersion: object.apiVersion } : {}),
        ...(object.kind ? { kind: object.kind } : {}),
        ...(meta.name ? { name: meta.name } : {}),
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        ...(meta.uid ? { uid: meta.uid } : {}),
        ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      action: event.action ?? event.reason,
      count: tracked.count,
      firstTimestamp: rfc3339(tracked.firstSeen),
      lastTimestamp: rfc3339(tracked.lastSeen),
      source: { component: this.#component, host: this.#host },
      reportingComponent: this.#component,
      reportingInstance: this.#host,
    };
  }
}

/** `<object name>.<16 hex digits>`, like client-go's `<name>.<unix nanos in hex>` but collision-free across replicas. */
function eventName(objectName: string): string {
  const suffix = randomBytes(8).toString('hex');
  return `${objectName.slice(0, MAX_NAME - suffix.length - 1)}.${suffix}`;
}

/** RFC 3339 with second precision, as `metav1.Time` serialises. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
