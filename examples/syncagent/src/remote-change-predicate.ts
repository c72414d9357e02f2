/**
 * Which changes of a kcp object wake its sync: everything except the agent's own bookkeeping writes — a
 * status update (status flows from the service cluster into kcp, never back) and the cleanup finalizer
 * being added. Without it every status write and finalizer patch would cost one more reconcile of the
 * object, which on a busy agent delays everything else in the queue. Creates, deletes and a deletion
 * timestamp always pass.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, Predicate } from '@kubeloom/core';

/** The object without what the agent's own writes change. */
function withoutBookkeeping(object: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = object as KubeObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, finalizers: _f, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Passes updates that change more than status, resourceVersion, managedFields or finalizers. */
export function remoteChangePredicate<T extends KubeObject = KubeObject>(): Predicate<T> {
  return {
    update: (oldObject, newObject) =>
      !isDeepStrictEqual(withoutBookkeeping(oldObject), withoutBookkeeping(newObject)),
  };
}
