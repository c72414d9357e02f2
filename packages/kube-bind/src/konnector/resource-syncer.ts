import {
  type Cluster,
  type Controller,
  type KubeObject,
  type Logger,
  type ResourceDescriptor,
  type Result,
  isNotFound,
} from '@kubeloom/core';
import {
  CLUSTER_NAMESPACE_ANNOTATION,
  CONSUMER_NAMESPACE_ANNOTATION,
  CONSUMER_UID_ANNOTATION,
  FIELD_MANAGER,
  PROVIDER_NAMESPACE_ANNOTATION,
  PROVIDER_UID_ANNOTATION,
  SYNCER_FINALIZER,
} from '../api/labels.ts';
import { messageOf } from './bound-crd.ts';
import { contains } from './contains.ts';
import { isKcpMetadata } from './kcp-metadata.ts';
import { type ObjectKey, type Placement, consumerKeyOf, providerKeyOf } from './isolation.ts';
import { providerNamespaceOf } from './provider-namespaces.ts';
import { type ProviderSide, syncerBuilder } from './provider-side.ts';

/** A reconcile that is done until something changes. */
const done: Result = {};

/** A bound object as the syncer handles it: metadata, spec and status. */
interface BoundObject extends KubeObject {
  spec?: unknown;
  status?: unknown;
}

/** What one resource syncer moves between the consumer and one provider. */
export interface ResourceSyncerOptions {
  /** Names the controller (log lines, metrics). */
  readonly name: string;
  /** Engaged as `''`. */
  readonly consumer: Cluster;
  /** The provider's client and the cache(s) of its copies. */
  readonly provider: ProviderSide;
  readonly consumerResource: ResourceDescriptor;
  readonly providerResource: ResourceDescriptor;
  readonly placement: Placement;
  readonly exportRef: { name: string; uid: string };
  readonly logger?: Logger;
}

/** Annotations the consumer's own tools keep that make no sense on the provider. */
const localOnlyAnnotations = [
  'kubectl.kubernetes.io/last-applied-configuration',
  PROVIDER_NAMESPACE_ANNOTATION,
  PROVIDER_UID_ANNOTATION,
];

/**
 * The controller that keeps one bound resource in sync between the consumer and one provider: spec,
 * labels and annotations consumer → provider by server-side apply (field manager `kube-bind.io`), status
 * provider → consumer, and the finalizer `kubebind.io/syncer` so that deleting the consumer object removes
 * the provider copy first. Requests are consumer keys; provider events are mapped back through the copy's
 * annotations, so another consumer's copies and objects the provider created itself are never touched.
 */
export function resourceSyncer(options: ResourceSyncerOptions): Controller {
  const { consumer, provider, placement } = options;
  return syncerBuilder({
    name: options.name,
    consumerResource: options.consumerResource,
    providerResource: options.providerResource,
    provider,
    toConsumerKey: (copy) => consumerKeyOf(placement, copy),
    maxConcurrentReconciles: 4,
    logger: options.logger,
  }).build(async (req) => {
    const key: ObjectKey = { namespace: req.namespace, name: req.name };
    const object: BoundObject | undefined = consumer.cache
      .reader(options.consumerResource)
      .get(req.name, placement.namespaced ? req.namespace : undefined);
    let providerNamespace: string | undefined;
    if (placement.namespaced) {
      providerNamespace = await providerNamespaceOf(
        provider.client,
        placement.clusterNamespace,
        req.namespace,
        options.exportRef,
      );
      if (!providerNamespace) return { requeueAfter: 1_000 };
    }
    const target = providerKeyOf(placement, key, providerNamespace);
    const cached = provider.cached<BoundObject>(options.providerResource, target);
    // The copy's cache has not listed yet (a namespace just assigned): look again shortly.
    if (cached === 'unknown') return { requeueAfter: 500 };
    const copy = cached;
    const ours = copy !== undefined && consumerKeyOf(placement, copy) !== undefined;

    if (!object) {
      // Deleted without the finalizer running (force-removed, or the CRD went): remove the copy this
      // consumer made. A provider object without this consumer's annotation is never deleted.
      if (copy && ours && !copy.metadata?.deletionTimestamp)
        await deleteCopy(provider, options.providerResource, target);
      return done;
    }
    if (object.metadata?.deletionTimestamp) {
      if (!object.metadata.finalizers?.includes(SYNCER_FINALIZER)) return done;
      if (copy && ours) {
        if (!copy.metadata?.deletionTimestamp) await deleteCopy(provider, options.providerResource, target);
        return done; // the copy's deletion event brings us back
      }
      await consumer.client.patch(
        options.consumerResource,
        req.name,
        {
          metadata: {
            resourceVersion: object.metadata.resourceVersion,
            finalizers: object.metadata.finalizers.filter((f) => f !== SYNCER_FINALIZER),
          },
        },
        placement.namespaced ? { namespace: req.namespace } : {},
      );
      return done;
    }
    if (!object.metadata?.finalizers?.includes(SYNCER_FINALIZER)) {
      await consumer.client.patch(
        options.consumerResource,
        req.name,
        {
          metadata: {
            resourceVersion: object.metadata?.resourceVersion,
            finalizers: [...(object.metadata?.finalizers ?? []), SYNCER_FINALIZER],
          },
        },
        placement.namespaced ? { namespace: req.namespace } : {},
      );
      return done; // the update event brings us back
    }
    if (copy && !ours) {
      consumer.events.record(object, {
        type: 'Warning',
        reason: 'ProviderObjectConflict',
        message: `the provider already has ${describe(options.providerResource, target)}, not created for this consumer; it is left untouched. Rename this object`,
      });
      return done;
    }
    const desired = desiredCopy(object, options.providerResource, placement, target);
    if (!copy || !contains(copy, desired) || !sameLabels(copy, desired)) {
      try {
        await provider.client.apply(options.providerResource, desired, {
          fieldManager: FIELD_MANAGER,
          force: true,
        });
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
          consumer.events.record(object, {
            type: 'Warning',
            reason: 'ProviderRejected',
            message: `the provider rejected ${describe(options.providerResource, target)}: ${messageOf(error)}. Fix the object; it is retried`,
          });
        }
        throw error;
      }
      return done; // the copy's event brings us back for its status
    }
    await syncStatusBack(consumer, options.consumerResource, object, copy, placement.namespaced);
    return done;
  });
}

/** The copy the provider should have: the consumer's labels, annotations and spec, marked as this consumer's. */
function desiredCopy(
  object: BoundObject,
  resource: ResourceDescriptor,
  placement: Placement,
  target: ObjectKey,
): BoundObject {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(object.metadata?.annotations ?? {}))
    if (!localOnlyAnnotations.includes(key) && !isKcpMetadata(key)) annotations[key] = value;
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(object.metadata?.labels ?? {}))
    if (!isKcpMetadata(key)) labels[key] = value;
  annotations[CLUSTER_NAMESPACE_ANNOTATION] = placement.clusterNamespace;
  annotations[CONSUMER_UID_ANNOTATION] = object.metadata?.uid ?? '';
  if (placement.namespaced) annotations[CONSUMER_NAMESPACE_ANNOTATION] = object.metadata?.namespace ?? '';
  return {
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    kind: resource.kind,
    metadata: {
      name: target.name,
      ...(target.namespace ? { namespace: target.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      annotations,
    },
    ...(object.spec !== undefined ? { spec: object.spec } : {}),
  };
}

/** Copies the provider copy's status (and where it lives) onto the consumer object, when they differ. */
async function syncStatusBack(
  consumer: Cluster,
  resource: ResourceDescriptor,
  object: BoundObject,
  copy: BoundObject,
  namespaced: boolean,
): Promise<void> {
  const scope = namespaced ? { namespace: object.metadata?.namespace ?? '' } : {};
  const wantedAnnotations = {
    [PROVIDER_NAMESPACE_ANNOTATION]: copy.metadata?.namespace ?? '',
    [PROVIDER_UID_ANNOTATION]: copy.metadata?.uid ?? '',
  };
  let current = object;
  if (!contains(object.metadata?.annotations ?? {}, wantedAnnotations)) {
    current = (await consumer.client.patch(
      resource,
      object.metadata?.name ?? '',
      { metadata: { annotations: wantedAnnotations } },
      scope,
    )) as BoundObject;
  }
  if (JSON.stringify(current.status ?? null) === JSON.stringify(copy.status ?? null)) return;
  const next: BoundObject = { ...current };
  if (copy.status === undefined) delete next.status;
  else next.status = copy.status;
  await consumer.client.updateStatus(resource, next, scope);
}

/** Whether two objects carry exactly the same labels (a label removed on the consumer is removed on the copy). */
function sameLabels(a: KubeObject, b: KubeObject): boolean {
  return sortedLabels(a) === sortedLabels(b);
}

/** An object's labels (without kcp's own) as one comparable string. */
function sortedLabels(o: KubeObject): string {
  return JSON.stringify(
    Object.entries(o.metadata?.labels ?? {})
      .filter(([k]) => !isKcpMetadata(k))
      .toSorted(([x], [y]) => x.localeCompare(y)),
  );
}

/** Deletes a provider copy; already gone is fine. */
async function deleteCopy(
  provider: ProviderSide,
  resource: ResourceDescriptor,
  key: ObjectKey,
): Promise<void> {
  try {
    await provider.client.delete(resource, key.name, key.namespace ? { namespace: key.namespace } : {});
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** `Widget team-a/w1` for messages. */
function describe(resource: ResourceDescriptor, key: ObjectKey): string {
  return `${resource.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
}
