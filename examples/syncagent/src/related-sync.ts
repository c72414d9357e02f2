/**
 * Syncs the related objects of one primary in their own direction (`origin: kcp` — e.g. a credentials
 * Secret the consumer wrote — goes down to the service cluster; `origin: service` — e.g. a Secret the
 * operator wrote — goes up into the consumer's workspace). A kcp-origin original carries the cleanup
 * finalizer while its copy exists; when the primary is deleted, kcp-origin copies are deleted and the
 * finalizers released, and service-origin copies are deleted only with `cleanup: true` (upstream's
 * rules). Originals are never deleted.
 */
import {
  type Client,
  ConfigMapResource,
  type KubeObject,
  type ResourceDescriptor,
  RestMapper,
  SecretResource,
  apiVersionOf,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import { cleanupFinalizerPatch } from './finalizers.ts';
import { jsonEqual } from './merge-patch.ts';
import { type CompiledMutation, type JsonObject, applyMutations, compileMutations } from './mutations.ts';
import { relatedObjectAnnotationPrefix, stripMetadata } from './object-identity.ts';
import { relatedResourceGvr } from './permission-claims.ts';
import type { RelatedResourceSpec } from './published-resource.ts';
import { type RelatedContext, resolveRelatedObjectSpec } from './related-objects.ts';
import { getIfExists } from './get-if-exists.ts';

/** A related-resource entry with the resources on both sides resolved. */
export interface ResolvedRelated {
  readonly spec: RelatedResourceSpec;
  /** The resource on the origin side. */
  readonly origin: ResourceDescriptor;
  /** The resource on the destination side (after `projection`). */
  readonly destination: ResourceDescriptor;
  /**
   * Whether the destination resource serves a `status` subresource (as the service cluster's discovery
   * says; kcp serves the same CRD): `syncStatus` writes status through it, and without it has nothing to do.
   */
  readonly destinationHasStatus: boolean;
  /** `mutation.spec`, applied to the original's content before it is copied (`other`: the existing copy). */
  readonly specMutations: readonly CompiledMutation[];
  /** `mutation.status`, applied to the original before its status is copied (`other`: the copy). */
  readonly statusMutations: readonly CompiledMutation[];
}

/** A related entry names a resource the service cluster does not serve (a configuration problem, not an outage). */
export class RelatedResourceNotServedError extends Error {
  override readonly name = 'RelatedResourceNotServedError';
}

/** Resolves the resources of a related entry; core Secrets and ConfigMaps need no discovery. */
export async function resolveRelated(
  spec: RelatedResourceSpec,
  service: Client,
  fieldPath = 'spec.related[]',
): Promise<ResolvedRelated> {
  const gvr = relatedResourceGvr(spec);
  const find = async (g: {
    group: string;
    version: string;
    resource: string;
  }): Promise<ResourceDescriptor & { readonly subresources: readonly string[] }> => {
    if (g.group === '' && g.version === 'v1' && g.resource === 'secrets')
      return { ...SecretResource, subresources: [] };
    if (g.group === '' && g.version === 'v1' && g.resource === 'configmaps')
      return { ...ConfigMapResource, subresources: [] };
    const apiVersion = g.group ? `${g.group}/${g.version}` : g.version;
    const found = (await new RestMapper(service).resources(apiVersion)).find((r) => r.plural === g.resource);
    if (!found) {
      throw new RelatedResourceNotServedError(
        `related resource "${spec.identifier}": the service cluster does not serve ${g.resource} in ${apiVersion}`,
      );
    }
    return found;
  };
  const origin = await find(gvr);
  const projected = spec.projection
    ? {
        group: spec.projection.group ?? gvr.group,
        version: spec.projection.version || gvr.version,
        resource: spec.projection.resource || gvr.resource,
      }
    : gvr;
  const destination = projected === gvr ? origin : await find(projected);
  return {
    spec,
    origin,
    destination,
    destinationHasStatus: destination.subresources.includes('status'),
    specMutations: compileMutations(spec.mutation?.spec, `${fieldPath}.mutation.spec`),
    statusMutations: compileMutations(spec.mutation?.status, `${fieldPath}.mutation.status`),
  };
}

/** One primary, both sides. */
export interface RelatedSyncInput {
  readonly related: readonly ResolvedRelated[];
  readonly clusterName: string;
  /** Its workspace path (with `enableWorkspacePaths`; else empty). */
  readonly clusterPath?: string;
  /** The kcp object and its client (the consumer workspace through the virtual workspace). */
  readonly remote: KubeObject;
  readonly kcp: Client;
  /** The service-cluster copy (or the copy it would be, while it is being deleted) and its client. */
  readonly local: KubeObject;
  readonly service: Client;
  /** True while the primary is being deleted: clean up instead of syncing. */
  readonly deleting: boolean;
}

/** What syncing the related entries of one primary did. */
export interface RelatedSyncOutcome {
  /** How many objects it wrote. */
  readonly writes: number;
  /**
   * Upstream's hint annotations for the kcp primary: `related-resources.syncagent.kcp.io/<identifier>.<i>`
   * → JSON `{namespace, name, apiVersion, kind}` of each service-origin copy in the consumer's workspace.
   */
  readonly hints: Readonly<Record<string, string>>;
}

/** Syncs (or cleans up) every related entry. */
export async function syncRelated(input: RelatedSyncInput): Promise<RelatedSyncOutcome> {
  let writes = 0;
  const hints: Record<string, string> = {};
  for (const related of input.related) writes += await syncOne(related, input, hints);
  return { writes, hints };
}

/**
 * The merge patch that makes the kcp primary's related-resource hint annotations exactly `hints` (stale
 * ones removed), or undefined when they already are.
 */
export function relatedHintsPatch(
  primary: KubeObject,
  hints: Readonly<Record<string, string>>,
): Record<string, unknown> | undefined {
  const current = Object.entries(primary.metadata?.annotations ?? {}).filter(([key]) =>
    key.startsWith(relatedObjectAnnotationPrefix),
  );
  const annotations: Record<string, string | null> = {};
  for (const [key] of current) if (!(key in hints)) annotations[key] = null;
  for (const [key, value] of Object.entries(hints))
    if (primary.metadata?.annotations?.[key] !== value) annotations[key] = value;
  return Object.keys(annotations).length > 0 ? { metadata: { annotations } } : undefined;
}

async function syncOne(
  related: ResolvedRelated,
  input: RelatedSyncInput,
  hints: Record<string, string>,
): Promise<number> {
  const fromKcp = related.spec.origin === 'kcp';
  const originClient = fromKcp ? input.kcp : input.service;
  const destinationClient = fromKcp ? input.service : input.kcp;
  const context: RelatedContext = {
    origin: fromKcp ? 'kcp' : 'service',
    originPrimary: (fromKcp ? input.remote : input.local) as Record<string, unknown>,
    destinationPrimary: (fromKcp ? input.local : input.remote) as Record<string, unknown>,
    clusterName: input.clusterName,
    clusterPath: input.clusterPath ?? '',
  };
  const namespaces = resolveNamespaces(related, context);
  if (!namespaces) return 0;
  const names = resolveRelatedObjectSpec(related.spec.object, context, 'names');
  const pairs: Array<{ origin: string; destination: string; object?: KubeObject }> = [];
  if (names.kind === 'mapping') {
    for (const [origin, destination] of names.mapping) pairs.push({ origin, destination });
  } else {
    const listed = await originClient.list(related.origin, {
      labelSelector: names.labelSelector,
      ...(related.origin.namespaced ? { namespace: namespaces.origin } : {}),
    });
    const sorted = listed.items.toSorted((a, b) =>
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
    for (const object of sorted) {
      const name = object.metadata?.name ?? '';
      pairs.push({
        origin: name,
        destination: names.rewrite(name, object as Record<string, unknown>),
        object,
      });
    }
  }
  let writes = 0;
  for (const [index, pair] of pairs.entries()) {
    if (!pair.destination) continue;
    const at = (ns: string) => (related.origin.namespaced ? { namespace: ns } : {});
    const original =
      pair.object ?? (await getIfExists(originClient, related.origin, pair.origin, at(namespaces.origin)));
    if (input.deleting) {
      if (fromKcp || related.spec.cleanup) {
        await destinationClient
          .delete(related.destination, pair.destination, at(namespaces.destination))
          .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
      }
      const release = original && cleanupFinalizerPatch(original, false);
      if (release) {
        await originClient.patch(related.origin, pair.origin, release, at(namespaces.origin));
        writes++;
      }
      continue;
    }
    if (!original || original.metadata?.deletionTimestamp) continue;
    if (!fromKcp) {
      hints[`${relatedObjectAnnotationPrefix}${related.spec.identifier}.${index}`] = JSON.stringify({
        ...(related.destination.namespaced ? { namespace: namespaces.destination } : {}),
        name: pair.destination,
        apiVersion: apiVersionOf(related.destination),
        kind: related.destination.kind,
      });
    }
    if (fromKcp) {
      const finalizer = cleanupFinalizerPatch(original, true);
      if (finalizer) {
        await originClient.patch(related.origin, pair.origin, finalizer, at(namespaces.origin));
        writes++;
      }
    }
    const existing = await getIfExists(
      destinationClient,
      related.destination,
      pair.destination,
      at(namespaces.destination),
    );
    const source = applyMutations(
      related.specMutations,
      original as JsonObject,
      (existing ?? null) as JsonObject | null,
    ) as KubeObject;
    const desired = copyOf(source, related, pair.destination, namespaces.destination);
    let written = existing;
    if (!existing) {
      written = await destinationClient.create(related.destination, desired).catch((error: unknown) => {
        if (!isAlreadyExists(error)) throw error;
        return undefined;
      });
      writes++;
    } else if (!sameContent(existing, desired)) {
      const updated = {
        ...existing,
        ...desired,
        metadata: {
          ...existing.metadata,
          labels: desired.metadata?.labels,
          annotations: desired.metadata?.annotations,
        },
      };
      written = await destinationClient.update(related.destination, updated as KubeObject);
      writes++;
    }
    const statusSource =
      written && related.statusMutations.length > 0
        ? (applyMutations(
            related.statusMutations,
            original as JsonObject,
            written as JsonObject,
          ) as KubeObject)
        : original;
    if (written && statusToSync(related, statusSource, written)) {
      await destinationClient.updateStatus(related.destination, {
        ...written,
        status: (statusSource as { status?: unknown }).status,
      } as KubeObject);
      writes++;
    }
  }
  return writes;
}

/**
 * Whether `syncStatus` has the original's status to write on the copy: only through a status subresource
 * (without one, the agent warns `StatusSubresourceMissing` when it starts the sync), and only when it differs.
 */
function statusToSync(
  related: ResolvedRelated,
  original: KubeObject & { status?: unknown },
  copy: KubeObject & { status?: unknown },
): boolean {
  return (
    related.spec.syncStatus === true &&
    related.destinationHasStatus &&
    original.status !== undefined &&
    !jsonEqual(original.status, copy.status)
  );
}

/** Origin and destination namespace, or undefined when an `object.namespace` rule yields none yet. */
function resolveNamespaces(
  related: ResolvedRelated,
  context: RelatedContext,
): { origin: string; destination: string } | undefined {
  const spec = related.spec.object.namespace;
  if (!spec) {
    return {
      origin: (context.originPrimary.metadata as { namespace?: string } | undefined)?.namespace ?? '',
      destination:
        (context.destinationPrimary.metadata as { namespace?: string } | undefined)?.namespace ?? '',
    };
  }
  const resolved = resolveRelatedObjectSpec(spec, context, 'namespaces');
  if (resolved.kind !== 'mapping') return undefined;
  const [first] = resolved.mapping;
  return first ? { origin: first[0], destination: first[1] } : undefined;
}

/** The copy of `original` at the destination: content and user metadata, none of the origin's bookkeeping. */
function copyOf(original: KubeObject, related: ResolvedRelated, name: string, namespace: string): KubeObject {
  const stripped = stripMetadata(original) as Record<string, unknown> & KubeObject;
  delete stripped.status; // written through the status subresource, with syncStatus only
  return {
    ...stripped,
    apiVersion: apiVersionOf(related.destination),
    kind: related.destination.kind,
    metadata: {
      ...(stripped.metadata?.labels ? { labels: stripped.metadata.labels } : {}),
      ...(stripped.metadata?.annotations ? { annotations: stripped.metadata.annotations } : {}),
      name,
      ...(related.destination.namespaced ? { namespace } : {}),
    },
  };
}

/** Whether the copy already has the content (every top-level field but metadata and status) and labels/annotations. */
function sameContent(existing: KubeObject, desired: KubeObject): boolean {
  return jsonEqual(comparableContent(existing), comparableContent(desired));
}

/** What {@link sameContent} compares: the object without metadata, apiVersion, kind and status, plus labels/annotations. */
function comparableContent(o: KubeObject): Record<string, unknown> {
  const { metadata, apiVersion: _a, kind: _k, ...rest } = o as Record<string, unknown> & KubeObject;
  delete rest.status;
  return { ...rest, labels: metadata?.labels ?? {}, annotations: metadata?.annotations ?? {} };
}
