import type { APIBinding, PermissionClaim } from '../apis/apis.ts';

/**
 * A permission claim the controllers need accepted in a consumer's APIBinding: a resource (`group` `''` for
 * core) and optionally the verbs. Without `verbs`, every verb the APIExport claims is needed.
 */
export interface RequiredPermissionClaim {
  /** API group of the claimed resource; `''` for core resources. */
  group: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource: string;
  /** Only for resources of another APIExport; matches any identity when omitted. */
  identityHash?: string;
  /** Verbs that must be granted; default every verb of the export's claim. */
  verbs?: readonly string[];
}

/** Why a needed claim does not hold in a binding. */
export type MissingClaimReason = 'not-in-binding' | 'rejected' | 'verbs-not-granted';

/** A needed permission claim that a binding does not grant, and why. */
export interface MissingPermissionClaim {
  /** API group of the claimed resource; `''` for core resources. */
  group: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource: string;
  /** Identity hash of the exporting APIExport; `''` for core and kcp system resources. */
  identityHash: string;
  /** Why the binding does not grant it. */
  reason: MissingClaimReason;
  /** For `verbs-not-granted`: the needed verbs the binding does not grant. */
  missingVerbs?: string[];
}

/** The claims an APIExport makes, as kcp copies them into a binding's `status.exportPermissionClaims`. */
function exportClaims(binding: APIBinding): PermissionClaim[] {
  const raw = binding.status?.exportPermissionClaims ?? [];
  return raw.filter(
    (c): c is PermissionClaim =>
      typeof c === 'object' && c !== null && typeof (c as PermissionClaim).resource === 'string',
  );
}

const sameResource = (
  a: { group: string; resource: string; identityHash?: string | undefined },
  b: { group: string; resource: string; identityHash?: string | undefined },
): boolean =>
  (a.group ?? '') === (b.group ?? '') &&
  a.resource === b.resource &&
  (a.identityHash === undefined || b.identityHash === undefined || a.identityHash === b.identityHash);

/**
 * The permission claims in `required` that `binding` does not grant. Without `required`, the needed claims
 * are every claim of the APIExport (from the binding's `status.exportPermissionClaims`, plus any claim the
 * binding's spec mentions).
 *
 * A claim is granted when the binding lists it with `state: Accepted` and the needed verbs survive kcp's
 * rule for effective verbs: the *literal* intersection of the binding's and the export's verbs (so a binding
 * accepting `["*"]` against an export claiming `["get","list"]` grants nothing).
 */
export function missingPermissionClaims(
  binding: APIBinding,
  required?: readonly RequiredPermissionClaim[],
): MissingPermissionClaim[] {
  const exported = exportClaims(binding);
  const accepted = binding.spec.permissionClaims ?? [];
  const needed: RequiredPermissionClaim[] = required ? [...required] : [...exported];
  if (!required) {
    for (const claim of accepted) if (!needed.some((n) => sameResource(n, claim))) needed.push(claim);
  }
  const missing: MissingPermissionClaim[] = [];
  for (const need of needed) {
    const base = { group: need.group ?? '', resource: need.resource };
    const inBinding = accepted.find((c) => sameResource(need, c));
    const identityHash = inBinding?.identityHash ?? need.identityHash ?? '';
    if (!inBinding) {
      missing.push({ ...base, identityHash, reason: 'not-in-binding' });
      continue;
    }
    if (inBinding.state !== 'Accepted') {
      missing.push({ ...base, identityHash, reason: 'rejected' });
      continue;
    }
    const ofExport = exported.find((c) => sameResource(c, inBinding));
    const granted = ofExport
      ? inBinding.verbs.filter((v) => ofExport.verbs.includes(v))
      : [...inBinding.verbs];
    const verbsNeeded = need.verbs ?? ofExport?.verbs ?? inBinding.verbs;
    // A literal `*` that survived the intersection grants every verb.
    const missingVerbs = verbsNeeded.filter((v) => !granted.includes(v) && !granted.includes('*'));
    if (missingVerbs.length > 0)
      missing.push({ ...base, identityHash, reason: 'verbs-not-granted', missingVerbs });
  }
  return missing;
}

/** `configmaps.core`, `widgets.example.io`: the form `kubectl kcp bind --accept-permission-claim` takes. */
export function claimName(claim: { group: string; resource: string }): string {
  return `${claim.resource}.${claim.group || 'core'}`;
}

/** One missing claim in words, e.g. `configmaps.core (rejected)`. */
export function describeMissingClaim(claim: MissingPermissionClaim): string {
  const why =
    claim.reason === 'rejected'
      ? 'rejected'
      : claim.reason === 'not-in-binding'
        ? 'not in the binding'
        : `verbs not granted: ${(claim.missingVerbs ?? []).join(', ')}`;
  return `${claimName(claim)} (${why})`;
}

/** A stable key for a set of missing claims, to notice when it changes. */
export function missingClaimsKey(missing: readonly MissingPermissionClaim[]): string {
  return missing.map(describeMissingClaim).toSorted().join('; ');
}
