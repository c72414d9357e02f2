import { type KubeObject, clusterOf } from '../client/object.ts';

/** Computes index values for an object (several values are allowed, e.g. every owner's name). */
export type IndexFunc<T extends KubeObject = KubeObject> = (object: T) => readonly string[];

/** Index of objects by their logical cluster (`kcp.io/cluster`; `''` outside kcp). */
export const CLUSTER_INDEX = 'cluster';
/** Index of objects by `<cluster>|<namespace>`. */
export const CLUSTER_NAMESPACE_INDEX = 'cluster-namespace';

/** The store key of an object: `cluster|namespace/name` (kcp's cluster-aware key; namespace may be empty). */
export function objectKey(object: KubeObject): string {
  const meta = object.metadata;
  return `${clusterOf(object)}|${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** The store key for explicit coordinates. */
export function keyOf(cluster: string, namespace: string | undefined, name: string): string {
  return `${cluster}|${namespace ?? ''}/${name}`;
}

/** `<cluster>|<namespace>`, the value of {@link CLUSTER_NAMESPACE_INDEX}. */
export function clusterNamespaceKey(cluster: string, namespace: string | undefined): string {
  return `${cluster}|${namespace ?? ''}`;
}

/** Internal key of a user index value: user indexes are always per cluster, so one cluster's values never leak into another's. */
function userIndexKey(cluster: string, value: string): string {
  return `${cluster}\u0000${value}`;
}

interface Index<T extends KubeObject> {
  readonly fn: IndexFunc<T>;
  /** Whether values are partitioned by cluster (user indexes) or global (built-in ones already include it). */
  readonly perCluster: boolean;
  readonly buckets: Map<string, Set<T>>;
}

/**
 * Objects keyed `cluster|namespace/name`, with indexes. The built-in indexes (by cluster and by
 * cluster+namespace) make per-cluster reads and replays proportional to that cluster's size, not the
 * store's. Objects are stored as given (plain parsed JSON) and handed out by reference: treat them as
 * read-only, and copy before changing one.
 */
export class Store<T extends KubeObject = KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #indexes = new Map<string, Index<T>>();

  constructor() {
    this.#indexes.set(CLUSTER_INDEX, { fn: (o) => [clusterOf(o)], perCluster: false, buckets: new Map() });
    this.#indexes.set(CLUSTER_NAMESPACE_INDEX, {
      fn: (o) => [clusterNamespaceKey(clusterOf(o), o.metadata?.namespace)],
      perCluster: false,
      buckets: new Map(),
    });
  }

  /** Number of objects. */
  get size(): number {
    return this.#objects.size;
  }

  /** The object with this key, if any. */
  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  /** Every key. */
  keys(): IterableIterator<string> {
    return this.#objects.keys();
  }

  /** Every object. */
  values(): IterableIterator<T> {
    return this.#objects.values();
  }

  /** Inserts or replaces an object; returns the previous one. */
  upsert(object: T, key: string = objectKey(object)): T | undefined {
    const old = this.#objects.get(key);
    this.#objects.set(key, object);
    for (const index of this.#indexes.values()) {
      if (old) removeFromIndex(index, old);
      addToIndex(index, object);
    }
    return old;
  }

  /** Removes an object by key; returns it. */
  delete(key: string): T | undefined {
    const old = this.#objects.get(key);
    if (!old) return undefined;
    this.#objects.delete(key);
    for (const index of this.#indexes.values()) removeFromIndex(index, old);
    return old;
  }

  /**
   * Adds an index, computed for the objects already stored and kept up to date from now on. User indexes
   * are per cluster: query them with the cluster the values belong to.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexes.has(name)) throw new Error(`index "${name}" already exists`);
    const index: Index<T> = { fn, perCluster: true, buckets: new Map() };
    for (const object of this.#objects.values()) addToIndex(index, object);
    this.#indexes.set(name, index);
  }

  /** Whether an index of this name exists. */
  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  /**
   * Objects whose index `name` has `value`. For user indexes pass the cluster (default `''`); the
   * built-in indexes take their full value ({@link CLUSTER_INDEX}: the cluster; {@link CLUSTER_NAMESPACE_INDEX}:
   * `cluster|namespace`).
   */
  byIndex(name: string, value: string, cluster = ''): ReadonlySet<T> {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`no index "${name}"; add it with addIndex() first`);
    return index.buckets.get(index.perCluster ? userIndexKey(cluster, value) : value) ?? emptySet;
  }

  /** The clusters that currently have objects. */
  clusters(): string[] {
    return [...(this.#indexes.get(CLUSTER_INDEX) as Index<T>).buckets.keys()];
  }
}

const emptySet: ReadonlySet<never> = new Set();

function indexKeys<T extends KubeObject>(index: Index<T>, object: T): readonly string[] {
  const values = index.fn(object);
  if (!index.perCluster) return values;
  const cluster = clusterOf(object);
  return values.map((v) => userIndexKey(cluster, v));
}

function addToIndex<T extends KubeObject>(index: Index<T>, object: T): void {
  for (const value of indexKeys(index, object)) {
    let bucket = index.buckets.get(value);
    if (!bucket) {
      bucket = new Set();
      index.buckets.set(value, bucket);
    }
    bucket.add(object);
  }
}

function removeFromIndex<T extends KubeObject>(index: Index<T>, object: T): void {
  for (const value of indexKeys(index, object)) {
    const bucket = index.buckets.get(value);
    if (!bucket) continue;
    bucket.delete(object);
    if (bucket.size === 0) index.buckets.delete(value);
  }
}
