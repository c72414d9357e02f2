import { type KubeObject, clusterOf } from '../client/object.ts';

/** Computes index values for an object (several values are allowed, e.g. every owner's name). */
export type IndexFunc<T extends KubeObject = KubeObject> = (object: T) => readonly string[];

/** The store key of an object: `cluster|namespace/name` (kcp's cluster-aware key; namespace may be empty). */
export function objectKey(object: KubeObject): string {
  const meta = object.metadata;
  return `${clusterOf(object)}|${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** The store key for explicit coordinates. */
export function keyOf(cluster: string, namespace: string | undefined, name: string): string {
  return `${cluster}|${namespace ?? ''}/${name}`;
}

/** `<cluster>|<namespace>`: one namespace of one cluster. */
export function clusterNamespaceKey(cluster: string, namespace: string | undefined): string {
  return `${cluster}|${namespace ?? ''}`;
}

/** Which cluster an object belongs to. Default: its `kcp.io/cluster` annotation (`''` outside kcp). */
export type ClusterOfFunc = (object: KubeObject) => string;

interface Index<T extends KubeObject> {
  readonly fn: IndexFunc<T>;
  /** `cluster\0value` → objects: user indexes are per cluster, so values never match across clusters. */
  readonly buckets: Map<string, Set<T>>;
}

const emptySet: ReadonlySet<never> = new Set();

/**
 * Objects of one resource, identified by (cluster, namespace, name).
 *
 * The primary structure is one map per namespace of each cluster, keyed by the object's own name string,
 * so an object costs a single map entry: no key strings, no extra index entries. Reading one cluster or one
 * namespace is proportional to its own size, never the store's. User indexes can be added at any time
 * and are per cluster.
 *
 * Objects are stored as given (plain parsed JSON) and handed out by reference: treat them as read-only,
 * and copy one before changing it.
 */
export class Store<T extends KubeObject = KubeObject> {
  /** Which cluster each object belongs to. */
  readonly clusterOf: ClusterOfFunc;
  /** `cluster|namespace` → name → object. */
  readonly #namespaces = new Map<string, Map<string, T>>();
  /** cluster → its `cluster|namespace` keys that have objects. */
  readonly #clusters = new Map<string, Set<string>>();
  readonly #indexes = new Map<string, Index<T>>();
  #size = 0;

  /**
   * @param options.clusterOf how objects are assigned to clusters. The default reads `kcp.io/cluster`, which
   *   is right for wildcard views holding many clusters; a store that holds a single cluster passes a
   *   constant, so that objects read through `/clusters/<workspace>` belong to it whatever their annotation.
   */
  constructor(options: { clusterOf?: ClusterOfFunc } = {}) {
    this.clusterOf = options.clusterOf ?? clusterOf;
  }

  /** The key of an object in this store: `cluster|namespace/name`. */
  keyOf(object: KubeObject): string {
    return `${this.clusterOf(object)}|${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  }

  /** Number of objects. */
  get size(): number {
    return this.#size;
  }

  /** One object by its coordinates. */
  get(cluster: string, namespace: string | undefined, name: string): T | undefined {
    return this.#namespaces.get(clusterNamespaceKey(cluster, namespace))?.get(name);
  }

  /** Every object. */
  *values(): IterableIterator<T> {
    for (const objects of this.#namespaces.values()) yield* objects.values();
  }

  /** Every object's key (`cluster|namespace/name`). */
  *keys(): IterableIterator<string> {
    for (const [nsKey, objects] of this.#namespaces)
      for (const name of objects.keys()) yield `${nsKey}/${name}`;
  }

  /** Objects of one cluster. */
  *inCluster(cluster: string): IterableIterator<T> {
    const nsKeys = this.#clusters.get(cluster);
    if (!nsKeys) return;
    for (const nsKey of nsKeys) {
      const objects = this.#namespaces.get(nsKey);
      if (objects) yield* objects.values();
    }
  }

  /** Number of objects in one cluster. */
  countInCluster(cluster: string): number {
    let n = 0;
    for (const nsKey of this.#clusters.get(cluster) ?? []) n += this.#namespaces.get(nsKey)?.size ?? 0;
    return n;
  }

  /** Objects of one namespace of one cluster (`''` for cluster-scoped objects). */
  inNamespace(cluster: string, namespace: string | undefined): IterableIterator<T> {
    return (this.#namespaces.get(clusterNamespaceKey(cluster, namespace)) ?? new Map<string, T>()).values();
  }

  /** The clusters that currently have objects. */
  clusters(): string[] {
    return [...this.#clusters.keys()];
  }

  /** Inserts or replaces an object; returns the previous one. */
  upsert(object: T): T | undefined {
    const cluster = this.clusterOf(object);
    const nsKey = clusterNamespaceKey(cluster, object.metadata?.namespace);
    const name = object.metadata?.name ?? '';
    let objects = this.#namespaces.get(nsKey);
    if (!objects) {
      objects = new Map();
      this.#namespaces.set(nsKey, objects);
      let nsKeys = this.#clusters.get(cluster);
      if (!nsKeys) {
        nsKeys = new Set();
        this.#clusters.set(cluster, nsKeys);
      }
      nsKeys.add(nsKey);
    }
    const old = objects.get(name);
    objects.set(name, object);
    if (!old) this.#size++;
    if (this.#indexes.size) {
      for (const index of this.#indexes.values()) {
        if (old) removeFromIndex(index, old, cluster);
        addToIndex(index, object, cluster);
      }
    }
    return old;
  }

  /** Removes an object; returns it. */
  delete(cluster: string, namespace: string | undefined, name: string): T | undefined {
    const nsKey = clusterNamespaceKey(cluster, namespace);
    const objects = this.#namespaces.get(nsKey);
    const old = objects?.get(name);
    if (!objects || !old) return undefined;
    objects.delete(name);
    this.#size--;
    if (objects.size === 0) {
      this.#namespaces.delete(nsKey);
      const nsKeys = this.#clusters.get(cluster);
      nsKeys?.delete(nsKey);
      if (nsKeys?.size === 0) this.#clusters.delete(cluster);
    }
    for (const index of this.#indexes.values()) removeFromIndex(index, old, cluster);
    return old;
  }

  /** Removes the object with the same coordinates as `object`; returns the stored one. */
  deleteObject(object: KubeObject): T | undefined {
    return this.delete(this.clusterOf(object), object.metadata?.namespace, object.metadata?.name ?? '');
  }

  /** Adds an index, computed for the objects already stored and kept up to date from now on. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexes.has(name)) throw new Error(`index "${name}" already exists`);
    const index: Index<T> = { fn, buckets: new Map() };
    for (const object of this.values()) addToIndex(index, object, this.clusterOf(object));
    this.#indexes.set(name, index);
  }

  /** Whether an index of this name exists. */
  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  /** Objects of `cluster` whose index `name` has `value`. */
  byIndex(name: string, value: string, cluster = ''): ReadonlySet<T> {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`no index "${name}"; add it with addIndex() first`);
    return index.buckets.get(`${cluster}\u0000${value}`) ?? emptySet;
  }
}

function addToIndex<T extends KubeObject>(index: Index<T>, object: T, cluster: string): void {
  for (const value of index.fn(object)) {
    const key = `${cluster}\u0000${value}`;
    let bucket = index.buckets.get(key);
    if (!bucket) {
      bucket = new Set();
      index.buckets.set(key, bucket);
    }
    bucket.add(object);
  }
}

function removeFromIndex<T extends KubeObject>(index: Index<T>, object: T, cluster: string): void {
  for (const value of index.fn(object)) {
    const key = `${cluster}\u0000${value}`;
    const bucket = index.buckets.get(key);
    if (!bucket) continue;
    bucket.delete(object);
    if (bucket.size === 0) index.buckets.delete(key);
  }
}
