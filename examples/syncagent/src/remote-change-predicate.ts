/**
 * Which changes of a kcp object wake its sync: everything except the agent's own bookkeeping writes — a
 * status update (status flows from the service cluster into kcp, never back), the cleanup finalizer
 * being added, and the `related-resources.syncagent.kcp.io/*` hint annotations. Without it every status write and finalizer patch would cost one more reconcile of the
 * object, which on a busy agent delays everything else in the queue. Creates, deletes and a deletion
 * timestamp always pass.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, Predicate } from '@kubeloom/core';
import { relatedObjectAnnotationPrefix } from './object-identity.ts';

/** The object without what the agent's own writes change. */
function withoutBookkeeping(object: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = object as KubeObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, finalizers: _f, annotations, ...meta } = metadata ?? {};
  const userAnnotations = Object.entries(annotations ?? {}).filter(
    ([key]) => !key.startsWith(relatedObjectAnnotationPrefix),
  );
  return { ...rest, metadata: { ...meta, annotations: Object.fromEntries(userAnnotations) } };
}

/** Passes updates that change more than status, resourceVersion, managedFields, finalizers or hint annotations. */
export function remoteChangePredicate<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) =>
      !isDeepStrictEqual(withoutBookkeeping(oldObject), withoutBookkeeping(newObject)),
  };
}
