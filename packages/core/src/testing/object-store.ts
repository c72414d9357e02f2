import { randomInt, randomUUID } from 'node:crypto';
import { CLUSTER_ANNOTATION, type KubeObject, type ObjectMeta, clusterOf } from '../client/object.ts';
import { type ResourceDescriptor, apiVersionOf, resourceKey } from '../client/resource.ts';
import { deepEqual } from './deep-equal.ts';
import { applyMergePatch } from './merge-patch.ts';
import type { ObjectFilter } from './object-filter.ts';
import { type ChangeType, type ResourceOptions, ResourceTable, objectKey } from './resource-table.ts';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './status-error.ts';

/** Which object a request addresses. `namespace` is `''` for cluster-scoped resources. */
export interface ObjectAddress {
  cluster: string;
  namespace: string;
  name: string;
}

/** Options every write takes. */
export interface StoreWriteOptions {
  /** Validate and compute the result without storing it (the `dryRun=All` query parameter). */
  dryRun?: boolean;
}

/** `DeleteOptions.preconditions`. */
export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** What a delete did: removed the object, or only marked it for deletion because finalizers remain. */
export interface DeleteResult {
  object: KubeObject;
  deleted: boolean;
}

const staleMessage =
  'the object has been modified; please apply your changes to the latest version and try again';
const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The fake API server's storage and write semantics, without HTTP: one global resourceVersion counter,
 * a {@link ResourceTable} per registered resource, and the rules a real API server applies on create,
 * update, patch, apply and delete (optimistic concurrency, generation, status subresource, finalizers).
 */
export class ObjectStore {
  readonly #tables = new Map<string, ResourceTable>();
  readonly #historyLimit: number;
  #rv = 0;
  #compactedRv = 0;

  constructor(options: { historyLimit: number }) {
    this.#historyLimit = options.historyLimit;
  }

  /** The resourceVersion of the latest write. */
  get rv(): number {
    return this.#rv;
  }

  /** Registers a resource; registering it again only updates its options. */
  register(resource: ResourceDescriptor, options: ResourceOptions = {}): ResourceTable {
    const key = resourceKey(resource);
    const existing = this.#tables.get(key);
    if (existing) {
      if (existing.resource.kind !== resource.kind || existing.resource.namespaced !== resource.namespaced) {
        throw new TypeError(
          `${key} is already registered as a different resource (kind ${existing.resource.kind})`,
        );
      }
      existing.statusSubresource = options.statusSubresource ?? false;
      return existing;
    }
    const table = new ResourceTable(resource, options, this.#historyLimit, this.#rv);
    this.#tables.set(key, table);
    return table;
  }

  /** The table of a registered resource; throws if it is not registered. */
  table(resource: ResourceDescriptor): ResourceTable {
    const table = this.#tables.get(resourceKey(resource));
    if (!table) {
      throw new TypeError(
        `${resourceKey(resource)} is not registered with the fake API server; call register() first`,
      );
    }
    return table;
  }

  /** The table for a URL's group, version and plural, if registered. */
  find(group: string, version: string, plural: string): ResourceTable | undefined {
    return this.#tables.get(`${group}/${version}/${plural}`);
  }

  /** Every registered resource. */
  tables(): IterableIterator<ResourceTable> {
    return this.#tables.values();
  }

  /** The oldest resourceVersion a watch can start from or a LIST snapshot can be served at. */
  oldestRv(table: ResourceTable): number {
    return Math.max(this.#compactedRv, table.historyStartRv);
  }

  /** Forgets all event history up to the current resourceVersion; returns it. */
  compact(): number {
    this.#compactedRv = this.#rv;
    for (const table of this.#tables.values()) table.forgetHistory(this.#rv);
    return this.#rv;
  }

  /** POST: creates an object in `cluster` / `namespace` (from the URL). */
  create(
    table: ResourceTable,
    cluster: string,
    namespace: string | undefined,
    body: unknown,
    options: StoreWriteOptions = {},
  ): KubeObject {
    const { resource } = table;
    const obj = asObject(body);
    checkType(resource, obj);
    const meta: ObjectMeta = { ...obj.metadata };
    const ns = resource.namespaced ? (namespace ?? '') : '';
    if (resource.namespaced && meta.namespace && meta.namespace !== ns) {
      throw badRequest(
        `the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${ns})`,
      );
    }
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    let name = meta.name;
    if (!name) {
      if (!meta.generateName)
        throw invalid(resource, '', 'metadata.name: Required value: name or generateName is required');
      for (let attempt = 0; attempt < 10; attempt++) {
        name = meta.generateName + randomSuffix();
        if (!table.get(objectKey(cluster, ns, name))) break;
      }
    }
    name = name as string;
    checkName(resource, name);
    if (table.get(objectKey(cluster, ns, name))) throw alreadyExists(resource, name);
    const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, annotations: _a, ...kept } = meta;
    const next = normalize(resource, obj, {
      ...kept,
      name,
      ...(resource.namespaced ? { namespace: ns } : {}),
      uid: randomUUID(),
      creationTimestamp: now(),
      generation: 1,
      ...annotationsField(meta.annotations, cluster),
    });
    if (!resource.namespaced) delete next.metadata.namespace;
    if (table.statusSubresource) delete fields(next).status;
    return this.#commit(table, 'ADDED', next, undefined, options);
  }

  /** The stored object at `at`, or a 404 {@link StatusError}. */
  get(table: ResourceTable, at: ObjectAddress): KubeObject {
    const current = table.get(objectKey(at.cluster, at.namespace, at.name));
    if (!current) throw notFound(table.resource, at.name);
    return current;
  }

  /** PUT on the object (`status: false`) or on its status subresource (`status: true`). */
  replace(
    table: ResourceTable,
    at: ObjectAddress,
    body: unknown,
    options: StoreWriteOptions & { status?: boolean } = {},
  ): KubeObject {
    const obj = asObject(body);
    checkType(table.resource, obj);
    checkIdentity(table.resource, at, obj);
    return this.#update(table, this.get(table, at), obj, options);
  }

  /**
   * PATCH: computes the desired object with `transform` (a merge or JSON patch of the current object) and
   * stores it like a PUT, so a resourceVersion in the patch is a precondition.
   */
  patch(
    table: ResourceTable,
    at: ObjectAddress,
    transform: (current: KubeObject) => unknown,
    options: StoreWriteOptions & { status?: boolean } = {},
  ): KubeObject {
    const current = this.get(table, at);
    const obj = asObject(transform(current));
    checkType(table.resource, obj);
    checkIdentity(table.resource, at, obj);
    return this.#update(table, current, obj, options);
  }

  /**
   * Server-side apply, simplified: the applied object is merged into the existing one with JSON merge patch
   * semantics, or created if missing. Field ownership and conflicts are not tracked.
   */
  apply(
    table: ResourceTable,
    at: ObjectAddress,
    body: unknown,
    options: StoreWriteOptions & { status?: boolean } = {},
  ): { object: KubeObject; created: boolean } {
    const desired = asObject(body);
    checkType(table.resource, desired);
    checkIdentity(table.resource, at, desired);
    const current = table.get(objectKey(at.cluster, at.namespace, at.name));
    if (!current) {
      if (options.status) throw notFound(table.resource, at.name);
      const { resourceVersion: _rv, ...meta } = desired.metadata ?? {};
      const object = this.create(
        table,
        at.cluster,
        table.resource.namespaced ? at.namespace : undefined,
        { ...desired, metadata: { ...meta, name: at.name } },
        options,
      );
      return { object, created: true };
    }
    const merged = asObject(applyMergePatch(current, desired));
    return { object: this.#update(table, current, merged, options), created: false };
  }

  /**
   * DELETE. With finalizers the object only gets a deletionTimestamp (and a generation bump) and stays until
   * an update removes the last finalizer; otherwise it is removed.
   */
  delete(
    table: ResourceTable,
    at: ObjectAddress,
    preconditions: DeletePreconditions | undefined,
    options: StoreWriteOptions = {},
  ): DeleteResult {
    const current = this.get(table, at);
    const meta = current.metadata ?? {};
    if (preconditions?.uid && preconditions.uid !== meta.uid) {
      throw conflict(
        table.resource,
        at.name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`,
      );
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        table.resource,
        at.name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
      );
    }
    if (meta.finalizers?.length) {
      if (meta.deletionTimestamp) return { object: current, deleted: false };
      const next: KubeObject = {
        ...current,
        metadata: {
          ...meta,
          deletionTimestamp: now(),
          deletionGracePeriodSeconds: 0,
          generation: (meta.generation ?? 0) + 1,
        },
      };
      return { object: this.#commit(table, 'MODIFIED', next, current, options), deleted: false };
    }
    return { object: this.#commit(table, 'DELETED', current, current, options), deleted: true };
  }

  /** DELETE on a collection: deletes every object the filter selects. */
  deleteCollection(
    table: ResourceTable,
    filter: ObjectFilter,
    preconditions: DeletePreconditions | undefined,
    options: StoreWriteOptions = {},
  ): KubeObject[] {
    const targets = [...table.current(filter)];
    return targets.map((obj) => this.delete(table, addressOf(obj), preconditions, options).object);
  }

  /**
   * Stores an object directly, bypassing API rules (for seeding): creates it, or replaces the stored one
   * with the same cluster, namespace and name. uid, creationTimestamp and generation are kept when given.
   * The store shares nested values with `body`, so the caller must copy it first if it will change it.
   */
  upsert(table: ResourceTable, body: KubeObject): KubeObject {
    const obj = asObject(body);
    const at = addressOf(obj);
    if (!at.name) throw new TypeError(`cannot store a ${table.resource.kind} without metadata.name`);
    if (table.resource.namespaced && !at.namespace) {
      throw new TypeError(`cannot store ${table.resource.kind} ${at.name} without metadata.namespace`);
    }
    const current = table.get(objectKey(at.cluster, at.namespace, at.name));
    const meta = obj.metadata ?? {};
    const next = normalize(table.resource, obj, {
      ...meta,
      uid: meta.uid ?? current?.metadata?.uid ?? randomUUID(),
      creationTimestamp: meta.creationTimestamp ?? current?.metadata?.creationTimestamp ?? now(),
      generation: meta.generation ?? current?.metadata?.generation ?? 1,
    });
    if (current && meta.generation === undefined && specChanged(current, next)) {
      next.metadata.generation = (current.metadata?.generation ?? 0) + 1;
    }
    return this.#commit(table, current ? 'MODIFIED' : 'ADDED', next, current, {});
  }

  /** Removes an object directly, ignoring finalizers. Throws if it does not exist. */
  remove(table: ResourceTable, obj: KubeObject): KubeObject {
    const at = addressOf(obj);
    const current = table.get(objectKey(at.cluster, at.namespace, at.name));
    if (!current) {
      throw new TypeError(
        `cannot remove ${table.resource.kind} ${at.namespace}/${at.name}: it is not stored`,
      );
    }
    return this.#commit(table, 'DELETED', current, current, {});
  }

  #update(
    table: ResourceTable,
    current: KubeObject,
    incoming: KubeObject,
    options: StoreWriteOptions & { status?: boolean },
  ): KubeObject {
    const { resource } = table;
    const cur = current.metadata ?? {};
    const name = cur.name ?? '';
    const inMeta = incoming.metadata ?? {};
    if (inMeta.resourceVersion && inMeta.resourceVersion !== cur.resourceVersion) {
      throw conflict(resource, name, staleMessage);
    }
    if (inMeta.uid && inMeta.uid !== cur.uid) {
      throw conflict(
        resource,
        name,
        `Precondition failed: UID in precondition: ${inMeta.uid}, UID in object meta: ${cur.uid ?? ''}`,
      );
    }
    let next: KubeObject & { metadata: ObjectMeta };
    if (options.status) {
      next = { ...current, metadata: { ...cur } };
      const record = fields(next);
      if ('status' in incoming) record.status = fields(incoming).status;
      else delete record.status;
    } else {
      if (cur.deletionTimestamp) {
        const added = (inMeta.finalizers ?? []).filter((f) => !(cur.finalizers ?? []).includes(f));
        if (added.length) {
          throw invalid(
            resource,
            name,
            `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
          );
        }
      }
      const {
        deletionTimestamp: _d,
        deletionGracePeriodSeconds: _g,
        uid: _u,
        creationTimestamp: _c,
        generation: _gen,
        annotations: _a,
        ...writable
      } = inMeta;
      next = normalize(resource, incoming, {
        ...writable,
        name,
        ...(resource.namespaced ? { namespace: cur.namespace ?? '' } : {}),
        uid: cur.uid ?? randomUUID(),
        creationTimestamp: cur.creationTimestamp ?? now(),
        resourceVersion: cur.resourceVersion ?? '',
        ...(cur.generation !== undefined ? { generation: cur.generation } : {}),
        ...(cur.deletionTimestamp !== undefined ? { deletionTimestamp: cur.deletionTimestamp } : {}),
        ...(cur.deletionGracePeriodSeconds !== undefined
          ? { deletionGracePeriodSeconds: cur.deletionGracePeriodSeconds }
          : {}),
        ...annotationsField(inMeta.annotations, clusterOf(current)),
      });
      if (!resource.namespaced) delete next.metadata.namespace;
      if (table.statusSubresource) {
        const record = fields(next);
        if ('status' in current) record.status = fields(current).status;
        else delete record.status;
      }
      if (specChanged(current, next)) next.metadata.generation = (cur.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = cur.resourceVersion ?? '';
    if (deepEqual(next, current)) return current;
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      return this.#commit(table, 'DELETED', next, current, options);
    }
    return this.#commit(table, 'MODIFIED', next, current, options);
  }

  #commit(
    table: ResourceTable,
    type: ChangeType,
    next: KubeObject,
    previous: KubeObject | undefined,
    options: StoreWriteOptions,
  ): KubeObject {
    if (options.dryRun) return next;
    const rv = ++this.#rv;
    const object: KubeObject = { ...next, metadata: { ...next.metadata, resourceVersion: String(rv) } };
    table.record({ rv, type, object, previous });
    return object;
  }
}

/** Where a stored (or to-be-stored) object lives. */
export function addressOf(obj: KubeObject): ObjectAddress {
  return {
    cluster: clusterOf(obj),
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

function asObject(body: unknown): KubeObject & { metadata?: ObjectMeta } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  const obj = body as KubeObject;
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null)) {
    throw badRequest('metadata must be an object');
  }
  return obj;
}

function checkType(resource: ResourceDescriptor, obj: KubeObject): void {
  if (obj.kind !== undefined && obj.kind !== resource.kind) {
    throw badRequest(`the object's kind ${obj.kind} does not match the resource's kind ${resource.kind}`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(resource)) {
    throw badRequest(
      `the object's apiVersion ${obj.apiVersion} does not match the resource's ${apiVersionOf(resource)}`,
    );
  }
}

function checkIdentity(resource: ResourceDescriptor, at: ObjectAddress, obj: KubeObject): void {
  const name = obj.metadata?.name;
  if (name !== undefined && name !== at.name) {
    throw badRequest(`the name of the object (${name}) does not match the name on the URL (${at.name})`);
  }
  const namespace = obj.metadata?.namespace;
  if (resource.namespaced && namespace && namespace !== at.namespace) {
    throw badRequest(
      `the namespace of the provided object (${namespace}) does not match the namespace sent on the request (${at.namespace})`,
    );
  }
}

function checkName(resource: ResourceDescriptor, name: string): void {
  if (name === '.' || name === '..' || /[/%]/.test(name) || name.length > 253) {
    throw invalid(
      resource,
      name,
      `metadata.name: Invalid value: "${name}": may not contain "/" or "%", nor be "." or ".."`,
    );
  }
}

/** apiVersion, kind and metadata first, then the rest of the object. */
function normalize(
  resource: ResourceDescriptor,
  obj: KubeObject,
  metadata: ObjectMeta,
): KubeObject & { metadata: ObjectMeta } {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  return { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata, ...rest };
}

/** `{annotations}` with `kcp.io/cluster` set to `cluster` (removed for cluster `''`), or `{}` if none remain. */
function annotationsField(
  annotations: Record<string, string> | undefined,
  cluster: string,
): { annotations?: Record<string, string> } {
  if (cluster === '') {
    if (!annotations || !(CLUSTER_ANNOTATION in annotations)) return annotations ? { annotations } : {};
    const { [CLUSTER_ANNOTATION]: _c, ...rest } = annotations;
    return Object.keys(rest).length ? { annotations: rest } : {};
  }
  if (annotations?.[CLUSTER_ANNOTATION] === cluster) return { annotations };
  return { annotations: { ...annotations, [CLUSTER_ANNOTATION]: cluster } };
}

/** An object's top-level fields, for reading and writing fields other than apiVersion, kind and metadata. */
function fields(obj: KubeObject): Record<string, unknown> {
  return obj as unknown as Record<string, unknown>;
}

/** Whether anything but metadata and status differs (what bumps metadata.generation). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const ra = fields(a);
  const rb = fields(b);
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    if (!deepEqual(ra[key], rb[key])) return true;
  }
  return false;
}

let lastSecond = -1;
let lastTimestamp = '';

/** The current time as an API server writes timestamps (RFC 3339, whole seconds), cached per second. */
function now(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTimestamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastTimestamp;
}

function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += generateNameAlphabet.charAt(randomInt(generateNameAlphabet.length));
  return out;
}
