/**
 * The cleanup finalizer on kcp objects: added (by merge patch) before anything is synced, so a kcp
 * delete waits until the service-cluster copy is gone, and removed as the last step of the cleanup. The
 * list is written sorted and without duplicates, as upstream's set-based code writes it.
 */
import type { KubeObject } from '@kubeloom/core';
import { cleanupFinalizer } from './object-identity.ts';

/**
 * The merge patch that adds (`add: true`) or removes the cleanup finalizer, or undefined when the object
 * already is as wanted. The patch carries `resourceVersion`, so a concurrent change makes it fail with a
 * conflict instead of dropping another controller's finalizer.
 */
export function cleanupFinalizerPatch(object: KubeObject, add: boolean): Record<string, unknown> | undefined {
  const current = object.metadata?.finalizers ?? [];
  if (current.includes(cleanupFinalizer) === add) return undefined;
  const next = new Set(current);
  if (add) next.add(cleanupFinalizer);
  else next.delete(cleanupFinalizer);
  return {
    metadata: {
      finalizers: [...next].toSorted(),
      ...(object.metadata?.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
    },
  };
}
