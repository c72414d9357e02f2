/**
 * Status flows back from the service cluster to kcp for the primary object (upstream's
 * `syncObjectStatus`): only when the service CRD version has a real `status` subresource, and only when
 * the (status-mutated) local status differs from kcp's. The status is never pushed the other way.
 */
import type { KubeObject } from '@kubeloom/core';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { jsonEqual } from './merge-patch.ts';

/** True when `version` of the CRD declares a status subresource (so `/status` can be written). */
export function hasStatusSubresource(crd: CustomResourceDefinition, version: string): boolean {
  return crd.spec.versions.some((v) => v.name === version && v.subresources?.status !== undefined);
}

/** Nothing to do, or the kcp object with the service status, to PUT to its `/status`. */
export type StatusSyncAction = { kind: 'in-sync' } | { kind: 'update'; object: Record<string, unknown> };

/** Decides the status back-sync of `remote` (the kcp object) from `local` (after status mutations). */
export function planStatusSync(remote: KubeObject, local: KubeObject): StatusSyncAction {
  const remoteStatus = (remote as { status?: unknown }).status;
  const localStatus = (local as { status?: unknown }).status;
  if (jsonEqual(remoteStatus ?? null, localStatus ?? null)) return { kind: 'in-sync' };
  const object = structuredClone(remote) as Record<string, unknown>;
  if (localStatus === undefined) delete object.status;
  else object.status = structuredClone(localStatus);
  return { kind: 'update', object };
}
