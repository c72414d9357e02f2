import type { Client, KubeObject } from '@kubeloom/core';
import { defineResource, isAlreadyExists } from '@kubeloom/core';

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
    subjects: [{ kind: 'ServiceAccount', name: KONNECTOR_SERVICE_ACCOUNT, namespace: clusterNamespace }],
  });
}

/**
 * Access to the exported resources for the konnector of one export. It watches them across namespaces
 * (informer scope `Cluster`) and writes its copies into the provider namespaces of its consumer, so the
 * grant is cluster-wide for these resources only.
 */
export async function ensureExportRbac(
  client: Client,
  clusterNamespace: string,
  exportName: string,
  resources: ReadonlyArray<{ group: string; resource: string }>,
): Promise<void> {
  const name = `kube-binder-resources-${clusterNamespace}-${exportName}`;
  await ensure(client, ClusterRoleResource, {
    metadata: { name },
    rules: resources.map((r) => ({
      apiGroups: [r.group],
      resources: [r.resource, `${r.resource}/status`],
      verbs: readWrite,
    })),
  });
  await ensure(client, ClusterRoleBindingResource, {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: KONNECTOR_SERVICE_ACCOUNT, namespace: clusterNamespace }],
  });
}
