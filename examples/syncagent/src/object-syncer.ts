/**
 * The reconcile of one kcp object of a PublishedResource (upstream's `ResourceSyncer.Process`): put the
 * cleanup finalizer on it, create (or adopt) its copy on the service cluster in the namespace the naming
 * rules give — by default one namespace per logical cluster — keep the copy's spec in line with a 3-way
 * merge against the last-known state (so service-side changes to other fields survive), copy the
 * service status back into kcp, sync the related objects, and on deletion delete the copy, wait until it
 * is gone, then release the finalizer. An object that stops matching `spec.filter` is released (its
 * finalizer removed) instead of being left stuck.
 */
import {
  type Client,
  type KubeObject,
  type Namespace,
  NamespaceResource,
  type Reconciler,
  type ScopedCache,
  type Result,
  type ResourceDescriptor,
  apiVersionOf,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import { agentNameKey } from './api-resource-schema.ts';
import { cleanupFinalizerPatch } from './finalizers.ts';
import { type CompiledMutation, type JsonObject, applyMutations } from './mutations.ts';
import { localObjectName } from './naming.ts';
import { workspacePathOf } from './workspace-path.ts';
import {
  type RemoteObjectKey,
  identificationAnnotations,
  identificationLabels,
  localCopySelector,
  remoteObjectClusterLabel,
  remoteObjectKey,
  stripMetadata,
} from './object-identity.ts';
import type { PublishedResource } from './published-resource.ts';
import { type ResolvedRelated, relatedHintsPatch, syncRelated } from './related-sync.ts';
import type { CompiledResourceFilter } from './resource-filter.ts';
import { planSpecSync } from './spec-sync.ts';
import type { StateStore } from './state-store.ts';
import { planStatusSync } from './status-sync.ts';
import type { SyncTarget } from './sync-target.ts';
import { getIfExists } from './get-if-exists.ts';

/** How long a deletion waits before looking again whether the copy is gone (the copy's watch usually wakes it first). */
export const deletionRecheckMs = 2_000;

/** Everything the reconcile of one PublishedResource's objects needs. */
export interface ObjectSyncerOptions {
  /** The normalised PublishedResource. */
  readonly pr: PublishedResource;
  readonly target: SyncTarget;
  readonly service: Client;
  readonly state: StateStore;
  readonly agentName: string;
  readonly filter: CompiledResourceFilter;
  readonly specMutations: readonly CompiledMutation[];
  readonly statusMutations: readonly CompiledMutation[];
  readonly related: readonly ResolvedRelated[];
  /** The service cluster's cached copies of the local kind (the sync controller watches them anyway). */
  readonly localCache?: () => ScopedCache;
}

/** The reconciler of a sync controller: requests name kcp objects (cluster = logical cluster). */
export function objectSyncer(options: ObjectSyncerOptions): Reconciler {
  const { target, service } = options;
  return async (req, { cluster, log }): Promise<Result | void> => {
    const kcp = cluster.client;
    let remote = await getIfExists(kcp, target.remote, req.name, at(req.namespace, target.remote));
    if (!remote) return;
    const key = remoteObjectKey(
      remote,
      req.cluster,
      options.pr.spec.enableWorkspacePaths ? await workspacePathOf(kcp, req.cluster) : '',
    );
    const local = await findCopy(service, target.local, key, options.localCache?.());

    if (!(await matchesFilter(options.filter, remote, kcp))) {
      const release = cleanupFinalizerPatch(remote, false);
      if (release) {
        await kcp.patch(target.remote, req.name, release, at(req.namespace, target.remote));
        log.info(
          'the object no longer matches spec.filter: released it (finalizer removed); its copy is left as it is',
        );
      }
      return;
    }

    if (remote.metadata?.deletionTimestamp) {
      const planned = local ?? plannedCopy(options, remote, remote, key);
      await syncRelated({
        related: options.related,
        clusterName: req.cluster,
        clusterPath: key.workspacePath,
        remote,
        kcp,
        local: planned,
        service,
        deleting: true,
      });
      if (local) {
        if (!local.metadata?.deletionTimestamp) {
          await service.delete(target.local, local.metadata?.name ?? '', {
            ...at(local.metadata?.namespace ?? '', target.local),
            propagationPolicy: 'Background',
          });
          log.info('deleted the service-cluster copy; waiting until it is gone');
          cluster.events.record(remote, {
            type: 'Normal',
            reason: 'ObjectCleanup',
            message: `deleting the copy ${describeCopy(local)} on the service cluster`,
          });
        }
        return { requeueAfter: deletionRecheckMs };
      }
      await options.state.delete(remote, req.cluster);
      const release = cleanupFinalizerPatch(remote, false);
      if (release) {
        await kcp.patch(target.remote, req.name, release, at(req.namespace, target.remote));
        cluster.events.record(remote, {
          type: 'Normal',
          reason: 'ObjectDeleted',
          message: 'the copy on the service cluster is gone; released the object',
        });
      }
      return;
    }

    const finalizer = cleanupFinalizerPatch(remote, true);
    if (finalizer) {
      remote = await kcp.patch(target.remote, req.name, finalizer, at(req.namespace, target.remote));
      cluster.events.record(remote, {
        type: 'Normal',
        reason: 'ObjectAccepted',
        message: `accepted by sync agent ${options.agentName}`,
      });
    }

    const source = applyMutations(
      options.specMutations,
      remote as JsonObject,
      (local ?? null) as JsonObject | null,
    ) as KubeObject;
    let copy: KubeObject;
    if (!local) {
      copy = await place(options, remote, source, key);
      log.info({ copy: describeCopy(copy) }, 'created the service-cluster copy');
      cluster.events.record(remote, {
        type: 'Normal',
        reason: 'ObjectPlaced',
        message: `placed the copy ${describeCopy(copy)} on the service cluster`,
      });
    } else if (local.metadata?.deletionTimestamp) {
      return { requeueAfter: deletionRecheckMs };
    } else {
      copy = await syncSpec(options, remote, source, local, key);
      if (copy !== local) {
        cluster.events.record(remote, {
          type: 'Normal',
          reason: 'ObjectSynced',
          message: `updated the copy ${describeCopy(copy)} on the service cluster`,
        });
      }
    }

    if (target.statusSubresource) {
      const mutated = applyMutations(
        options.statusMutations,
        copy as JsonObject,
        remote as JsonObject,
      ) as KubeObject;
      const plan = planStatusSync(remote, mutated);
      if (plan.kind === 'update') {
        remote = await kcp.updateStatus(target.remote, plan.object);
      }
    }
    const { hints } = await syncRelated({
      related: options.related,
      clusterName: req.cluster,
      clusterPath: key.workspacePath,
      remote,
      kcp,
      local: copy,
      service,
      deleting: false,
    });
    const hintPatch = relatedHintsPatch(remote, hints);
    if (hintPatch) await kcp.patch(target.remote, req.name, hintPatch, at(req.namespace, target.remote));
  };
}

/** Where an object of `resource` in namespace `ns` is addressed (cluster-scoped: nowhere). */
function at(ns: string, resource: ResourceDescriptor): { namespace?: string } {
  return resource.namespaced ? { namespace: ns } : {};
}

/** `namespace/name` (or `name`) of a copy, for logs and events. */
function describeCopy(copy: KubeObject): string {
  const name = copy.metadata?.name ?? '';
  return copy.metadata?.namespace ? `${copy.metadata.namespace}/${name}` : name;
}

/** The identification labels plus the agent label a copy carries. */
function desiredLabels(options: ObjectSyncerOptions, key: RemoteObjectKey): Record<string, string> {
  return { ...identificationLabels(key), [agentNameKey]: options.agentName };
}

/** The copy `remote` gets on the service cluster, before it is created (also used to resolve related names). */
function plannedCopy(
  options: ObjectSyncerOptions,
  remote: KubeObject,
  source: KubeObject,
  key: RemoteObjectKey,
): KubeObject {
  const { target } = options;
  const where = localObjectName(options.pr.spec.naming, remote, {
    clusterName: key.clusterName,
    clusterPath: key.workspacePath,
  });
  const stripped = stripMetadata(source) as Record<string, unknown> & KubeObject;
  for (const subresource of target.subresources) delete stripped[subresource];
  const { namespace: _remoteNamespace, ...metadata } = stripped.metadata ?? {};
  return {
    ...stripped,
    apiVersion: apiVersionOf(target.local),
    kind: target.local.kind,
    metadata: {
      ...metadata,
      name: where.name,
      ...(target.local.namespaced ? { namespace: where.namespace } : {}),
      labels: { ...metadata.labels, ...desiredLabels(options, key) },
      annotations: { ...metadata.annotations, ...identificationAnnotations(key) },
    },
  };
}

/** Creates the copy (and its namespace), or adopts an object already there under that name. */
async function place(
  options: ObjectSyncerOptions,
  remote: KubeObject,
  source: KubeObject,
  key: RemoteObjectKey,
): Promise<KubeObject> {
  const { target, service } = options;
  const planned = plannedCopy(options, remote, source, key);
  const namespace = planned.metadata?.namespace;
  if (namespace) await ensureNamespace(service, namespace, options.agentName, key.clusterName);
  let copy: KubeObject;
  try {
    copy = await service.create(target.local, planned);
  } catch (error) {
    if (isNotFound(error) && namespace) knownNamespaces.get(service)?.delete(namespace);
    if (!isAlreadyExists(error)) throw error;
    const existing = await service.get(
      target.local,
      planned.metadata?.name ?? '',
      namespace ? { namespace } : {},
    );
    if (existing.metadata?.deletionTimestamp) {
      throw new Error(
        `cannot adopt ${target.local.kind} ${namespace ? `${namespace}/` : ''}${planned.metadata?.name}: it is being deleted; it will be created again once it is gone`,
        { cause: error },
      );
    }
    copy = await service.update(target.local, {
      ...existing,
      metadata: {
        ...existing.metadata,
        labels: { ...existing.metadata?.labels, ...desiredLabels(options, key) },
        annotations: { ...existing.metadata?.annotations, ...identificationAnnotations(key) },
      },
    });
  }
  await options.state.put(remote, source, key.clusterName, target.subresources, { isNew: true });
  return copy;
}

/** Brings an existing copy in line (3-way merge patch, or overwrite without last-known state). */
async function syncSpec(
  options: ObjectSyncerOptions,
  remote: KubeObject,
  source: KubeObject,
  local: KubeObject,
  key: RemoteObjectKey,
): Promise<KubeObject> {
  const { target, service } = options;
  const lastKnown = await options.state.get(remote, source, key.clusterName);
  const plan = planSpecSync({
    source,
    destination: local,
    lastKnown,
    subresources: target.subresources,
    desiredLabels: desiredLabels(options, key),
    desiredAnnotations: identificationAnnotations(key),
  });
  if (plan.kind === 'in-sync') return local;
  const namespace = local.metadata?.namespace;
  const updated =
    plan.kind === 'patch'
      ? await service.patch(
          target.local,
          local.metadata?.name ?? '',
          withoutIdentity(plan.patch),
          namespace ? { namespace } : {},
        )
      : await service.update(target.local, {
          ...(plan.object as KubeObject),
          apiVersion: apiVersionOf(target.local),
          kind: target.local.kind,
          metadata: {
            ...local.metadata,
            ...(plan.object as KubeObject).metadata,
            name: local.metadata?.name ?? '',
            ...(namespace ? { namespace } : {}),
          },
        });
  await options.state.put(remote, source, key.clusterName, target.subresources);
  return updated;
}

/** A merge patch never renames or moves the copy: the kcp object's name and namespace are not the copy's. */
function withoutIdentity(patch: Record<string, unknown>): Record<string, unknown> {
  const metadata = patch.metadata as Record<string, unknown> | undefined;
  if (!metadata) return patch;
  const { name: _n, namespace: _ns, ...rest } = metadata;
  return { ...patch, metadata: rest };
}

/** Namespaces known to exist, so that each is looked up once (a create in a vanished one fails and is retried). */
const knownNamespaces = new WeakMap<Client, Set<string>>();

async function ensureNamespace(
  service: Client,
  name: string,
  agentName: string,
  clusterName: string,
): Promise<void> {
  const known = knownNamespaces.get(service) ?? new Set<string>();
  knownNamespaces.set(service, known);
  if (known.has(name)) return;
  try {
    await service.get(NamespaceResource, name);
    known.add(name);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const namespace: Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [agentNameKey]: agentName, [remoteObjectClusterLabel]: clusterName } },
  };
  await service.create(NamespaceResource, namespace).catch((error: unknown) => {
    if (!isAlreadyExists(error)) throw error;
  });
  known.add(name);
}

/** The copy of `key` on the service cluster, found by its labels; throws if two objects claim it. */
async function findCopy(
  service: Client,
  resource: ResourceDescriptor,
  key: RemoteObjectKey,
  cache: ScopedCache | undefined,
): Promise<KubeObject | undefined> {
  const selector = localCopySelector(key);
  // The cache answers for copies that exist; only a miss (a new object, or a cache behind) asks the server.
  const cached = cache?.list({ labelSelector: selector }) ?? [];
  const found =
    cached.length === 1 ? { items: cached } : await service.list(resource, { labelSelector: selector });
  if (found.items.length > 1) {
    throw new Error(
      `expected one ${resource.kind} on the service cluster for ${key.clusterName}|${key.namespace}/${key.name}, found ${found.items.length}: ${found.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).join(', ')}; delete the extra ones`,
    );
  }
  return found.items[0];
}

async function matchesFilter(
  filter: CompiledResourceFilter,
  remote: KubeObject,
  kcp: Client,
): Promise<boolean> {
  let namespaceLabels: Record<string, string> | undefined;
  if (filter.needsNamespace && remote.metadata?.namespace) {
    const ns = await kcp.get(NamespaceResource, remote.metadata.namespace);
    namespaceLabels = ns.metadata?.labels ?? {};
  }
  return filter.matches(remote.metadata?.labels ?? {}, namespaceLabels);
}
