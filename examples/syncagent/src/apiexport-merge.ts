/**
 * Merges the agent's schemas and permission claims into an existing `apis.kcp.io/v1alpha2` APIExport (the
 * export is created by someone else; the agent only fills it in). Pure and idempotent: entries of
 * group/resources the agent does not publish are kept (foreign schemas, and those of deleted
 * PublishedResources, as upstream does), claims are only ever added, and both lists are sorted, so
 * merging the result again changes nothing and a controller never loops on its own update.
 */
import type { APIExport, PermissionClaim, ResourceSchema } from '@kubeloom/kcp-provider';
import { parseApiResourceSchemaName } from '@kubeloom/kcp-provider/schemas';
import { agentNameKey } from './api-resource-schema.ts';
import { type ClaimKey, compareStrings, groupResourceKey } from './permission-claims.ts';

/** The result of a merge; `changed` says whether the export needs an update. */
export interface APIExportMerge {
  export: APIExport;
  changed: boolean;
  /** Schema names newly referenced, and those no longer referenced (for events). */
  addedSchemas: string[];
  removedSchemas: string[];
  /** Claims added, as `resource.group` (for events). */
  addedClaims: string[];
  /**
   * Claims the agent needs that exist with other verbs or identity hash. They are left as the export's
   * owner set them (the list is keyed by group/resource, so a second entry is impossible); each message
   * says what differs.
   */
  claimConflicts: string[];
}

/**
 * Merges `schemaNames` (APIResourceSchema names `<prefix>.<plural>.<group>`, ready to be served) and
 * `claims` into a copy of `existing`, and annotates it with the agent name. Throws a TypeError for a
 * schema name that is not of that form (the agent produced it, so that is a bug).
 */
export function mergeIntoAPIExport(
  existing: APIExport,
  schemaNames: readonly string[],
  claims: readonly ClaimKey[],
  agentName: string,
): APIExportMerge {
  const merged = structuredClone(existing);
  merged.metadata = {
    ...merged.metadata,
    annotations: { ...merged.metadata.annotations, [agentNameKey]: agentName },
  };
  const spec = { ...merged.spec };

  const ours = new Map<string, ResourceSchema>();
  for (const name of schemaNames) {
    const parsed = parseApiResourceSchemaName(name);
    if (!parsed)
      throw new TypeError(`invalid APIResourceSchema name "${name}": expected <prefix>.<plural>.<group>`);
    ours.set(groupResourceKey(parsed), {
      name: parsed.resource,
      group: parsed.group,
      schema: name,
      storage: { crd: {} },
    });
  }
  const before = spec.resources ?? [];
  const resources = [
    ...ours.values(),
    ...before.filter((r) => !ours.has(groupResourceKey({ group: r.group, resource: r.name }))),
  ].toSorted((a, b) =>
    compareStrings(
      groupResourceKey({ group: a.group, resource: a.name }),
      groupResourceKey({ group: b.group, resource: b.name }),
    ),
  );
  if (resources.length > 0 || spec.resources !== undefined) spec.resources = resources;
  const beforeNames = new Set(before.map((r) => r.schema));
  const afterNames = new Set(resources.map((r) => r.schema));

  const claimList: PermissionClaim[] = [...(spec.permissionClaims ?? [])];
  const addedClaims: string[] = [];
  const claimConflicts: string[] = [];
  for (const claim of claims) {
    const present = claimList.find((c) => c.group === claim.group && c.resource === claim.resource);
    if (!present) {
      claimList.push({
        group: claim.group,
        resource: claim.resource,
        verbs: ['*'],
        ...(claim.identityHash ? { identityHash: claim.identityHash } : {}),
      });
      addedClaims.push(groupResourceKey(claim));
      continue;
    }
    const hash = present.identityHash ?? '';
    if (hash !== claim.identityHash || !present.verbs.includes('*')) {
      claimConflicts.push(
        `the permission claim for ${groupResourceKey(claim)} has verbs [${present.verbs.join(' ')}] and identityHash "${hash}", but the agent needs verbs [*] and identityHash "${claim.identityHash}"; it was left as it is`,
      );
    }
  }
  const sortedClaims = claimList.toSorted(
    (a, b) => compareStrings(a.group, b.group) || compareStrings(a.resource, b.resource),
  );
  if (sortedClaims.length > 0 || spec.permissionClaims !== undefined) spec.permissionClaims = sortedClaims;
  merged.spec = spec;

  return {
    export: merged,
    changed: JSON.stringify(canonical(merged)) !== JSON.stringify(canonical(existing)),
    addedSchemas: [...afterNames].filter((n) => !beforeNames.has(n)).toSorted(),
    removedSchemas: [...beforeNames].filter((n) => !afterNames.has(n)).toSorted(),
    addedClaims,
    claimConflicts,
  };
}

/** Group/resources an APIExport already serves, for {@link requiredPermissionClaims}. */
export function exportedGroupResources(apiExport: APIExport): Array<{ group: string; resource: string }> {
  return (apiExport.spec?.resources ?? []).map((r) => ({ group: r.group, resource: r.name }));
}

/** The parts of an export the merge touches, with object keys in a fixed order. */
function canonical(apiExport: APIExport): unknown {
  return sortKeys({ annotations: apiExport.metadata.annotations ?? {}, spec: apiExport.spec ?? {} });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .toSorted()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
