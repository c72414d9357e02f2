import { type KubeObject, type OwnerReference, clusterOf } from '../client/object.ts';
import { type ResourceDescriptor, apiVersionOf } from '../client/resource.ts';

/**
 * An object already has a controller reference to a different owner. Only one owner may control an
 * object; two controllers fighting over it would undo each other's work.
 */
export class AlreadyOwnedError extends Error {
  /** `AlreadyOwnedError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'AlreadyOwnedError';
  /** The controller reference the object already has. */
  readonly existing: OwnerReference;

  constructor(object: KubeObject, existing: OwnerReference, wanted: OwnerReference) {
    super(
      `${describeObject(object)} is already controlled by ${existing.kind} "${existing.name}" (${existing.apiVersion}, uid ${existing.uid}), so ${wanted.kind} "${wanted.name}" cannot become its controller; an object has at most one controller reference (use setOwnerReference for a non-controlling owner)`,
    );
    this.existing = existing;
  }
}

/** Options for {@link setControllerReference} and {@link setOwnerReference}. */
export interface OwnerReferenceOptions {
  /** Foreground deletion of the owner waits for this object. Default true for controller references. */
  blockOwnerDeletion?: boolean;
}

/**
 * Makes `owner` the controller of `object` (in place; also returned), so that the owner's garbage
 * collection deletes it and `owns(...)` watches map its events back to the owner. Updates an existing
 * reference to the same owner. Throws {@link AlreadyOwnedError} if another owner controls the object, and
 * a TypeError for references Kubernetes would reject (see {@link setOwnerReference}).
 *
 * Call it on the object you are about to write (e.g. inside `createOrUpdate`'s mutate), not on a cached one.
 */
export function setControllerReference<T extends KubeObject>(
  owner: KubeObject,
  object: T,
  ownerResource: ResourceDescriptor,
  options: OwnerReferenceOptions = {},
): T {
  const ref: OwnerReference = {
    ...referenceTo(owner, object, ownerResource),
    controller: true,
    blockOwnerDeletion: options.blockOwnerDeletion ?? true,
  };
  const refs = object.metadata?.ownerReferences ?? [];
  const existing = refs.find((r) => r.controller === true);
  if (existing && !sameOwner(existing, ref)) throw new AlreadyOwnedError(object, existing, ref);
  upsertReference(object, ref);
  return object;
}

/**
 * Adds `owner` as a non-controlling owner of `object` (in place; also returned): garbage collection
 * deletes the object once all its owners are gone. An existing reference to the same owner is updated
 * and keeps its `controller` and `blockOwnerDeletion` flags. Throws a TypeError when the owner has no
 * uid (it was never stored), lives in another namespace, is namespaced while the object is
 * cluster-scoped, or lives in another kcp logical cluster: Kubernetes garbage collection would ignore
 * (or wrongly act on) such a reference.
 */
export function setOwnerReference<T extends KubeObject>(
  owner: KubeObject,
  object: T,
  ownerResource: ResourceDescriptor,
  options: OwnerReferenceOptions = {},
): T {
  const ref = referenceTo(owner, object, ownerResource);
  const existing = object.metadata?.ownerReferences?.find((r) => sameOwner(r, ref));
  upsertReference(object, {
    ...ref,
    ...(existing?.controller !== undefined ? { controller: existing.controller } : {}),
    ...(options.blockOwnerDeletion !== undefined
      ? { blockOwnerDeletion: options.blockOwnerDeletion }
      : existing?.blockOwnerDeletion !== undefined
        ? { blockOwnerDeletion: existing.blockOwnerDeletion }
        : {}),
  });
  return object;
}

/** Whether `owner` (matched by uid) is the controller of `object`. */
export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  return object.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === uid) ?? false;
}

/** The controller reference of `object`, if it has one. */
export function controllerReferenceOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((r) => r.controller === true);
}

function referenceTo(
  owner: KubeObject,
  object: KubeObject,
  ownerResource: ResourceDescriptor,
): OwnerReference {
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  const what = `${ownerResource.kind} "${name ?? ''}" as owner of ${describeObject(object)}`;
  if (!name || !uid) {
    throw new TypeError(
      `cannot set ${what}: the owner has no name or uid yet (read it from the cluster first)`,
    );
  }
  const objectNamespace = object.metadata?.namespace ?? '';
  if (ownerResource.namespaced) {
    if (!objectNamespace) {
      throw new TypeError(`cannot set ${what}: a cluster-scoped object cannot have a namespaced owner`);
    }
    if ((owner.metadata?.namespace ?? '') !== objectNamespace) {
      throw new TypeError(
        `cannot set ${what}: owner references cannot cross namespaces (owner in "${owner.metadata?.namespace ?? ''}")`,
      );
    }
  }
  const ownerCluster = clusterOf(owner);
  const objectCluster = clusterOf(object);
  if (ownerCluster && objectCluster && ownerCluster !== objectCluster) {
    throw new TypeError(
      `cannot set ${what}: owner references cannot cross logical clusters (owner in "${ownerCluster}", object in "${objectCluster}")`,
    );
  }
  return { apiVersion: apiVersionOf(ownerResource), kind: ownerResource.kind, name, uid };
}

/** Same owner as Kubernetes compares them: API group, kind and name (the version may differ). */
function sameOwner(a: OwnerReference, b: OwnerReference): boolean {
  return a.kind === b.kind && a.name === b.name && apiGroupOf(a.apiVersion) === apiGroupOf(b.apiVersion);
}

function upsertReference(object: KubeObject, ref: OwnerReference): void {
  object.metadata ??= {};
  const refs = object.metadata.ownerReferences ?? [];
  const index = refs.findIndex((r) => sameOwner(r, ref));
  object.metadata.ownerReferences = index < 0 ? [...refs, ref] : refs.map((r, i) => (i === index ? ref : r));
}

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `''`), as owner references are matched. */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function describeObject(object: KubeObject): string {
  const meta = object.metadata;
  const kindName = object.kind ?? 'object';
  return `${kindName} "${meta?.namespace ? `${meta.namespace}/` : ''}${meta?.name ?? meta?.generateName ?? ''}"`;
}
