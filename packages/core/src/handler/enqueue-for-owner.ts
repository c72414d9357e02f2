import type { KubeObject, OwnerReference } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { apiGroupOf } from '../reconcile/owner-references.ts';
import type { Request } from '../reconcile/request.ts';
import type { HandlerContext, RequestHandler } from './request-handler.ts';

/**
 * The owner kind to look for in `metadata.ownerReferences`: a resource descriptor, or its group and kind.
 * `namespaced` (default true) says whether owners live in the namespace of the owned object (namespaced
 * owners) or are cluster-scoped; a descriptor knows it already.
 */
export type OwnerKind =
  | ResourceDescriptor
  | {
      /** API group of the owner kind; `''` for the core group. */
      readonly group: string;
      /** The owner kind, e.g. `Deployment`. */
      readonly kind: string;
      /** Whether owners are namespaced (then they share the owned object's namespace). Default true. */
      readonly namespaced?: boolean;
    };

/** Options for {@link enqueueForOwner}. */
export interface EnqueueForOwnerOptions {
  /**
   * Only the controller reference (`controller: true`), the one owner responsible for the object. Default
   * true; false also follows plain owner references.
   */
  onlyController?: boolean;
}

/**
 * Reconciles the owner of the object the event is about, in the same cluster: the handler behind a
 * builder's `owns(...)`, so that a change to (or deletion of) a Deployment wakes the custom resource that
 * created it. Owner references cannot cross clusters, so the Request always names the event's cluster.
 * An update enqueues the owners of both the old and the new object, so that moving an object to another
 * owner reconciles both.
 */
export function enqueueForOwner<T extends KubeObject = KubeObject>(
  owner: OwnerKind,
  options: EnqueueForOwnerOptions = {},
): RequestHandler<T> {
  const onlyController = options.onlyController ?? true;
  const namespaced = owner.namespaced ?? true;
  const matches = (ref: OwnerReference): boolean =>
    ref.kind === owner.kind &&
    apiGroupOf(ref.apiVersion) === owner.group &&
    (!onlyController || ref.controller === true);

  const owners = (object: T, context: HandlerContext): Request[] => {
    const out: Request[] = [];
    for (const ref of object.metadata?.ownerReferences ?? []) {
      if (!matches(ref)) continue;
      out.push({
        cluster: context.clusterName,
        namespace: namespaced ? (object.metadata?.namespace ?? '') : '',
        name: ref.name,
      });
    }
    return out;
  };
  const enqueueOwners = (object: T, context: HandlerContext): void => {
    for (const request of owners(object, context)) context.enqueue(request);
  };
  return {
    create: enqueueOwners,
    update: (oldObject, newObject, context) => {
      // The queue deduplicates, so an owner that is in both lists is reconciled once.
      enqueueOwners(oldObject, context);
      enqueueOwners(newObject, context);
    },
    delete: enqueueOwners,
    generic: enqueueOwners,
  };
}
