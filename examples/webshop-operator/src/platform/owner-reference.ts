import type { KubeObject } from '@kubeloom/core';

/**
 * A controller owner reference to `owner`, as an operator sets it on the Secrets it generates: the
 * garbage collector deletes them with their owner, and the syncagent's `watch.byOwner` finds the owner.
 */
export function controllerReference(owner: KubeObject): Array<{
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}> {
  return [
    {
      apiVersion: owner.apiVersion ?? '',
      kind: owner.kind ?? '',
      name: owner.metadata?.name ?? '',
      uid: owner.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}
