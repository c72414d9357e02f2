import type { Client, KubeObject } from '@kubeloom/core';
import { defineResource, isAlreadyExists, isNotFound } from '@kubeloom/core';
import type { APIServiceExport } from '../api/apiserviceexport.ts';
import { isSyncedClaim } from '../api/permission-claims.ts';

/** An RBAC object as plain JSON (Role, ClusterRole and their bindings). */
export interface RbacObject extends KubeObject {
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

const rbac = (kind: string, plural: string, namespaced: boolean) =>
  defineResource<RbacObject>({ group: 'rbac.authorization.k8s.io', version: 'v1', kind, plural, namespaced });

/** rbac.authorization.k8s.io/v1 Roles. */
export const RoleResource = rbac('Role', 'roles', true);
/** rbac.authorization.k8s.io/v1 RoleBindings. */
export const RoleBindingResource = rbac('RoleBinding', 'rolebindings', true);
/** rbac.authorization.k8s.io/v1 ClusterRoles. */
export const ClusterRoleResource = rbac('ClusterRole', 'clusterroles', false);
/** rbac.authorization.k8s.io/v1 ClusterRoleBindings. */
export const ClusterRoleBindingResource = rbac('ClusterRoleBinding', 'clusterrolebindings', false);

/** The ServiceAccount a consumer's konnector acts as, in the consumer's cluster namespace. */
export const KONNECTOR_SERVICE_ACCOUNT = 'kube-binder';

const readWrite = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** The konnector's ServiceAccount of a consumer, as an RBAC subject. */
const subjectsOf = (clusterNamespace: string): NonNullable<RbacObject['subjects']> => [
  { kind: 'ServiceAccount', name: KONNECTOR_SERVICE_ACCOUNT, namespace: clusterNamespace },
];

/**
 * What the konnector may do with kube-bind's objects in its own cluster namespace (and nothing elsewhere):
 * the permissions kube-bind's backend grants its `kube-binder` role.
 */
const clusterNamespaceRules: NonNullable<RbacObject['rules']> = [
  {
    apiGroups: ['kube-bind.io'],
    resources: ['apiserviceexportrequests', 'apiservicenamespaces'],
    verbs: readWrite,
  },
  {
    apiGroups: ['kube-bind.io'],
    resources: ['clusterbindings', 'apiserviceexports', 'boundschemas'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['kube-bind.io'],
    resources: ['clusterbindings/status', 'apiserviceexports/status', 'boundschemas/status'],
    verbs: ['get', 'patch', 'update'],
  },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
];

/** Creates an object, or replaces the rules/subjects of the existing one. */
async function ensure(client: Client, resource: ReturnType<typeof rbac>, object: RbacObject): Promise<void> {
  try {
    await client.create(resource, object);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace;
    const patch = object.rules ? { rules: object.rules } : { subjects: object.subjects };
    await client.patch(resource, name, patch, namespace ? { namespace } : {});
  }
}

/** The konnector's Role and RoleBinding in its cluster namespace. */
export async function ensureClusterNamespaceRbac(client: Client, clusterNamespace: string): Promise<void> {
  await ensure(client, RoleResource, {
    metadata: { name: 'kube-binder', namespace: clusterNamespace },
    rules: clusterNamespaceRules,
  });
  await ensure(client, RoleBindingResource, {
    metadata: { name: 'kube-binder', namespace: clusterNamespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kube-binder' },
    subjects: subjectsOf(clusterNamespace),
  });
}

/** The ClusterRole with the rules for an export's resources (`kind` `resources`) or its claimed objects (`claims`). */
export function exportRoleName(
  kind: 'resources' | 'claims',
  clusterNamespace: string,
  exportName: string,
): string {
  return `kube-binder-${kind}-${clusterNamespace}-${exportName}`;
}

/** What the backend grants for one export. */
export interface ExportGrant {
  readonly name: string;
  /** `Namespaced`: the exported resources are granted per provider namespace of the consumer only. */
  readonly informerScope: 'Cluster' | 'Namespaced';
  readonly resources: ReadonlyArray<{ group: string; resource: string }>;
  /** Claimed objects (ConfigMaps, Secrets): always granted per provider namespace of the consumer only. */
  readonly claims: ReadonlyArray<{ group: string; resource: string }>;
}

/** Deletes an object if it exists. */
async function deleteIfPresent(
  client: Client,
  resource: ReturnType<typeof rbac>,
  name: string,
  namespace?: string,
): Promise<void> {
  try {
    await client.delete(resource, name, namespace ? { namespace } : {});
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** What an export grants its konnector: its resources and the claims this konnector syncs. */
export function exportGrantOf(exported: APIServiceExport): ExportGrant {
  return {
    name: exported.metadata.name ?? '',
    informerScope: exported.spec.informerScope,
    resources: exported.spec.resources.map((r) => ({ group: r.group, resource: r.resource })),
    claims: (exported.spec.permissionClaims ?? [])
      .filter((c) => isSyncedClaim(c))
      .map((c) => ({ group: c.group, resource: c.resource })),
  };
}

/**
 * The konnector's access for one export. The rules live in ClusterRoles (one for the exported resources,
 * one for the claimed objects). An export with informer scope `Cluster` (cluster-scoped resources) gets its
 * resources bound cluster-wide, since the konnector watches them across the provider; a `Namespaced` one,
 * and every claim, is bound only in the provider namespaces of this consumer (RoleBindings that
 * {@link ensureNamespaceGrants} writes into each of them), so the credential cannot read other consumers'
 * objects.
 */
export async function ensureExportRbac(
  client: Client,
  clusterNamespace: string,
  grant: ExportGrant,
  providerNamespaces: readonly string[],
): Promise<void> {
  const resourcesRole = exportRoleName('resources', clusterNamespace, grant.name);
  await ensure(client, ClusterRoleResource, {
    metadata: { name: resourcesRole },
    rules: grant.resources.map((r) => ({
      apiGroups: [r.group],
      resources: [r.resource, `${r.resource}/status`],
      verbs: readWrite,
    })),
  });
  if (grant.informerScope === 'Cluster') {
    await ensure(client, ClusterRoleBindingResource, {
      metadata: { name: resourcesRole },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: resourcesRole },
      subjects: subjectsOf(clusterNamespace),
    });
  } else {
    // A backend before namespaced grants bound every export cluster-wide.
    await deleteIfPresent(client, ClusterRoleBindingResource, resourcesRole);
  }
  if (grant.claims.length > 0) {
    await ensure(client, ClusterRoleResource, {
      metadata: { name: exportRoleName('claims', clusterNamespace, grant.name) },
      rules: grant.claims.map((c) => ({ apiGroups: [c.group], resources: [c.resource], verbs: readWrite })),
    });
  }
  for (const namespace of providerNamespaces)
    await ensureNamespaceGrants(client, clusterNamespace, namespace, [grant]);
}

/**
 * The RoleBindings in one provider namespace of a consumer that give its konnector what its exports grant
 * per namespace: the resources of `Namespaced` exports and every export's claimed objects.
 */
export async function ensureNamespaceGrants(
  client: Client,
  clusterNamespace: string,
  providerNamespace: string,
  grants: readonly ExportGrant[],
): Promise<void> {
  for (const grant of grants) {
    const bindings: Array<['resources' | 'claims', boolean]> = [
      ['resources', grant.informerScope === 'Namespaced'],
      ['claims', grant.claims.length > 0],
    ];
    for (const [kind, wanted] of bindings) {
      if (!wanted) continue;
      const role = exportRoleName(kind, clusterNamespace, grant.name);
      await ensure(client, RoleBindingResource, {
        metadata: { name: `kube-binder-${kind}-${grant.name}`, namespace: providerNamespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: subjectsOf(clusterNamespace),
      });
    }
  }
}
