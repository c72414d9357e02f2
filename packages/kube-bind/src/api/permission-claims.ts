import type { KubeObject } from '@kubeloom/core';
import type { ClaimSelector, LabelSelector, PermissionClaim } from './apiserviceexportrequest.ts';

/** The claimable resources this konnector syncs: core ConfigMaps and Secrets. */
export const SYNCED_CLAIM_RESOURCES: readonly string[] = ['configmaps', 'secrets'];

/** Whether this konnector syncs objects of `claim` (a core ConfigMap or Secret claim without references). */
export function isSyncedClaim(claim: PermissionClaim): boolean {
  return (
    claim.group === '' &&
    SYNCED_CLAIM_RESOURCES.includes(claim.resource) &&
    (claim.selector?.references ?? []).length === 0
  );
}

/** Why a claim is not synced, for the binding's condition; undefined when it is. */
export function unsyncedClaimReason(claim: PermissionClaim): string | undefined {
  if (isSyncedClaim(claim)) return undefined;
  const what = `${claim.resource}${claim.group ? `.${claim.group}` : ''}`;
  if ((claim.selector?.references ?? []).length > 0)
    return `the claim on ${what} selects by references, which this konnector does not support`;
  return `the claim on ${what} is not one this konnector syncs (it syncs core configmaps and secrets)`;
}

/** Whether `labels` match a Kubernetes label selector. */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (have[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, e.key);
    const value = have[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!present || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Whether a claim's selector claims `object`, seen with `namespace` as its consumer namespace: it must be
 * among the named resources (when any are named; a name without a namespace names it in every namespace)
 * and match the label selector (when one is set). A selector that sets neither claims nothing, so an
 * export cannot take every Secret of a consumer by accident.
 */
export function claims(selector: ClaimSelector | undefined, object: KubeObject, namespace: string): boolean {
  const named = selector?.namedResources ?? [];
  const labelled = selector?.labelSelector;
  if (named.length === 0 && !labelled) return false;
  const name = object.metadata?.name ?? '';
  if (named.length > 0 && !named.some((n) => n.name === name && (!n.namespace || n.namespace === namespace)))
    return false;
  return !labelled || matchesLabelSelector(labelled, object.metadata?.labels);
}
