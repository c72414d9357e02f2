import type { KubeObject } from '../client/object.ts';
import { clusterOf } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import type { ObjectFilter } from './object-filter.ts';

/** The kind of change an event records. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change, kept in a resource's event history for watch replay and LIST snapshots. */
export interface StoredEvent {
  /** resourceVersion the change was committed at. */
  readonly rv: number;
  readonly type: ChangeType;
  /** The object after the change (for DELETED: its last state, carrying the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change; `undefined` for ADDED. */
  readonly previous: KubeObject | undefined;
  /** The serialized watch line, computed once and shared by every watch that sends the event unchanged. */
  line?: string;
}

/** Receives every change committed to a resource (open watches). */
export interface ChangeListener {
  deliver(event: StoredEvent): void;
}

/** Registration options of a resource. */
export interface ResourceOptions {
  /**
   * The resource has a `status` subresource: writes to the main resource ignore `.status`, and
   * `/status` writes change only `.status` (like a CRD with `subresources: {status: {}}`).
   */
  statusSubresource?: boolean;
}

/**
 * Store key of an object: `cluster|namespace/name` (`namespace` is `''` for cluster-scoped objects).
 * Sorting keys groups objects by cluster, then namespace, which makes scoped LIST pages cheap.
 */
export function objectKey(cluster: string, namespace: string, name: string): string {
  return `${cluster}|${namespace}/${name}`;
}

/** Store key of a stored object (its cluster comes from the `kcp.io/cluster` annotation). */
export function keyOf(obj: KubeObject): string {
  return objectKey(clusterOf(obj), obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
}

/** One page of a LIST. */
export interface ListPage {
  items: KubeObject[];
  /** Key of the last item when more items follow (goes into the continue token). */
  continueAfter: string | undefined;
}

/**
 * Everything the fake server keeps for one registered resource: the current objects, a bounded history of
 * changes, and the open watches. Stored objects are never mutated; every write stores a new object.
 */
export class ResourceTable {
  readonly resource: ResourceDescriptor;
  /** See {@link ResourceOptions.statusSubresource}. */
  statusSubresource: boolean;
  /** Open watches on this resource. */
  readonly listeners = new Set<ChangeListener>();
  readonly #objects = new Map<string, KubeObject>();
  readonly #historyLimit: number;
  #history: StoredEvent[] = [];
  /** Index of the oldest retained event in #history (events before it are dropped lazily). */
  #head = 0;
  #historyStartRv: number;
  #sortedKeys: string[] | undefined;

  constructor(
    resource: ResourceDescriptor,
    options: ResourceOptions,
    historyLimit: number,
    currentRv: number,
  ) {
    this.resource = resource;
    this.statusSubresource = options.statusSubresource ?? false;
    this.#historyLimit = Math.max(1, historyLimit);
    this.#historyStartRv = currentRv;
  }

  /** Every event with a resourceVersion greater than this is in the history. */
  get historyStartRv(): number {
    return this.#historyStartRv;
  }

  /** Number of stored objects, across all clusters and namespaces. */
  get size(): number {
    return this.#objects.size;
  }

  /** The stored object under `key`, if any. */
  get(key: string): KubeObject | undefined {
    return this.#objects.get(key);
  }

  /** Commits a change: updates the current objects, appends to the history and notifies every watch. */
  record(event: StoredEvent): void {
    const key = keyOf(event.object);
    if (event.type === 'DELETED') {
      this.#objects.delete(key);
      this.#sortedKeys = undefined;
    } else {
      if (event.type === 'ADDED') this.#sortedKeys = undefined;
      this.#objects.set(key, event.object);
    }
    this.#history.push(event);
    while (this.#history.length - this.#head > this.#historyLimit) {
      this.#historyStartRv = (this.#history[this.#head] as StoredEvent).rv;
      this.#history[this.#head] = undefined as unknown as StoredEvent;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#history.length) {
      this.#history = this.#history.slice(this.#head);
      this.#head = 0;
    }
    for (const listener of this.listeners) listener.deliver(event);
  }

  /** Drops the whole history: afterwards only changes after `rv` can be replayed. */
  forgetHistory(rv: number): void {
    this.#history = [];
    this.#head = 0;
    this.#historyStartRv = rv;
  }

  /** Retained events with a resourceVersion greater than `rv`, oldest first. Check {@link historyStartRv} first. */
  eventsAfter(rv: number): StoredEvent[] {
    return this.#history.slice(this.#firstAfter(rv));
  }

  /** Current objects in key order that the filter selects. */
  *current(filter: ObjectFilter): Generator<KubeObject> {
    const keys = this.#keys();
    const prefix = filter.keyPrefix;
    for (let i = lowerBound(keys, prefix); i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(prefix)) break;
      const obj = this.#objects.get(key) as KubeObject;
      if (filter.matches(obj)) yield obj;
    }
  }

  /**
   * One LIST page of the state as of resourceVersion `rv` (which must be ≥ {@link historyStartRv}): the
   * current objects with every retained change after `rv` undone. Starts after key `after`.
   */
  listPage(rv: number, filter: ObjectFilter, after: string | undefined, limit: number | undefined): ListPage {
    const { keys, lookup } = this.#snapshot(rv);
    const prefix = filter.keyPrefix;
    let i = lowerBound(keys, prefix);
    if (after !== undefined) i = Math.max(i, upperBound(keys, after));
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(prefix)) break;
      const obj = lookup(key);
      if (obj === undefined || !filter.matches(obj)) continue;
      if (limit !== undefined && items.length === limit) return { items, continueAfter: lastKey };
      items.push(obj);
      lastKey = key;
    }
    return { items, continueAfter: undefined };
  }

  #snapshot(rv: number): { keys: string[]; lookup: (key: string) => KubeObject | undefined } {
    const keys = this.#keys();
    const first = this.#firstAfter(rv);
    if (first >= this.#history.length) return { keys, lookup: (key) => this.#objects.get(key) };
    // Undo newer changes, newest first: each key ends up with its state before the oldest newer change.
    const undone = new Map<string, KubeObject | undefined>();
    for (let i = this.#history.length - 1; i >= first; i--) {
      const event = this.#history[i] as StoredEvent;
      undone.set(keyOf(event.object), event.previous);
    }
    const extra = [...undone.keys()].filter((k) => !this.#objects.has(k)).toSorted();
    return {
      keys: extra.length ? mergeSorted(keys, extra) : keys,
      lookup: (key) => (undone.has(key) ? undone.get(key) : this.#objects.get(key)),
    };
  }

  #keys(): string[] {
    this.#sortedKeys ??= [...this.#objects.keys()].toSorted();
    return this.#sortedKeys;
  }

  /** Index of the first retained event with rv > `rv`. */
  #firstAfter(rv: number): number {
    return partitionPoint(
      this.#head,
      this.#history.length,
      (i) => (this.#history[i] as StoredEvent).rv <= rv,
    );
  }
}

/**
 * Binary search: the first index in [`lo`, `hi`) for which `before` is false, where `before` holds for a
 * leading run of the range and then never again (`hi` if it holds throughout).
 */
function partitionPoint(lo: number, hi: number, before: (index: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is ≥ `value`. */
function lowerBound(keys: readonly string[], value: string): number {
  return partitionPoint(0, keys.length, (i) => (keys[i] as string) < value);
}

/** First index whose key is > `value`. */
function upperBound(keys: readonly string[], value: string): number {
  return partitionPoint(0, keys.length, (i) => (keys[i] as string) <= value);
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length)
    out.push((a[i] as string) < (b[j] as string) ? (a[i++] as string) : (b[j++] as string));
  while (i < a.length) out.push(a[i++] as string);
  while (j < b.length) out.push(b[j++] as string);
  return out;
}
