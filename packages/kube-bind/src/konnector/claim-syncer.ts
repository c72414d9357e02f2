import {
  type Client,
  type Cluster,
  type Controller,
  type KubeObject,
  type Logger,
  NamespaceResource,
  type ResourceDescriptor,
  type Result,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import type { PermissionClaim } from '../api/apiserviceexportrequest.ts';
import {
  CLUSTER_NAMESPACE_ANNOTATION,
  CONSUMER_NAMESPACE_ANNOTATION,
  CONSUMER_UID_ANNOTATION,
  FIELD_MANAGER,
  OWNER_LABEL,
  PROVIDER_NAMESPACE_ANNOTATION,
  PROVIDER_UID_ANNOTATION,
} from '../api/labels.ts';
import { claims } from '../api/permission-claims.ts';
import { messageOf } from './bound-crd.ts';
import { isKcpMetadata } from './kcp-metadata.ts';
import type { ProviderNamespacesView } from './provider-namespaces-view.ts';
import { providerNamespaceOf } from './provider-namespaces.ts';
import { syncerBuilder } from './provider-side.ts';

/** A claimed object: a ConfigMap or a Secret, as far as copying goes. */
interface ClaimedObject extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

/** What one claim syncer moves between the consumer and one provider. */
export interface ClaimSyncerOptions {
  /** Names the controller (log lines, metrics). */
  readonly name: string;
  /** Engaged as `''`. */
  readonly consumer: Cluster;
  /** The consumer's provider namespaces, each watched on its own. */
  readonly provider: ProviderNamespacesView;
  /** ConfigMaps or Secrets. */
  readonly resource: ResourceDescriptor;
  readonly claim: PermissionClaim;
  readonly clusterNamespace: string;
  readonly exportRef: { name: string; uid: string };
  readonly logger?: Logger;
}

/** Which side owns a claimed object. */
type Owner = 'provider' | 'consumer';

const done: Result = {};

/** Annotations that belong to one side only and are never copied. */
const sideOnlyAnnotations = ['kubectl.kubernetes.io/last-applied-configuration'];

/** The owner an object's label names, if any. */
function label(o: KubeObject | undefined): Owner | undefined {
  const v = o?.metadata?.labels?.[OWNER_LABEL];
  return v === 'provider' || v === 'consumer' ? v : undefined;
}

/** Whether a consumer object is the copy this konnector made of a provider object in `providerNamespace`. */
function isOurConsumerCopy(o: KubeObject, providerNamespace: string): boolean {
  return (
    o.metadata?.labels?.[OWNER_LABEL] === 'provider' &&
    o.metadata.annotations?.[PROVIDER_NAMESPACE_ANNOTATION] === providerNamespace
  );
}

/** A string map with its keys in order, for comparing. */
function sorted(r: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(r ?? {}).toSorted(([x], [y]) => x.localeCompare(y)));
}

/** The same JSON (absent counting as empty). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/**
 * Who owns the pair (consumer object, provider object), by kube-bind's rule: an owner label decides (the
 * provider's first), otherwise an object that exists on one side only belongs to that side; undefined when
 * both exist without a label (nobody can tell which is the original, so neither is touched).
 */
export function ownerOf(local: KubeObject | undefined, remote: KubeObject | undefined): Owner | undefined {
  const labelled = label(remote) ?? label(local);
  if (labelled) return labelled;
  if (local && !remote) return 'consumer';
  if (remote && !local) return 'provider';
  return undefined;
}

/**
 * The controller that syncs the objects one permission claim of an export selects (ConfigMaps or Secrets)
 * between the consumer and one provider, in the direction their owner says: a consumer-owned object is
 * copied into the provider namespace of its consumer namespace (the copy labelled `kube-bind.io/owner:
 * consumer` and annotated with the consumer namespace and uid), a provider-owned one into the consumer
 * namespace (labelled `provider`, annotated with the provider namespace and uid). Copies follow their
 * original's changes and go when it goes; an object that is not a copy this konnector made is never
 * overwritten or deleted (a `ClaimConflict` event says so). Requests are consumer keys.
 */
export function claimSyncer(options: ClaimSyncerOptions): Controller {
  const { consumer, provider, resource, claim, clusterNamespace } = options;
  const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;

  /** Whether a provider object is the copy this consumer made of its `namespace`'s object. */
  const isOurProviderCopy = (o: KubeObject, namespace: string): boolean =>
    o.metadata?.annotations?.[CLUSTER_NAMESPACE_ANNOTATION] === clusterNamespace &&
    o.metadata.annotations[CONSUMER_NAMESPACE_ANNOTATION] === namespace;

  const conflict = (object: KubeObject, where: string): void => {
    consumer.events.record(object, {
      type: 'Warning',
      reason: 'ClaimConflict',
      message: `${resource.kind} ${where} exists and is not a copy kube-bind made; it is left untouched. Label the original with ${OWNER_LABEL}=provider or =consumer, or remove one of the two`,
    });
  };

  return syncerBuilder({
    name: options.name,
    consumerResource: resource,
    providerResource: resource,
    provider,
    toConsumerKey: (o) => {
      const namespace = provider.consumerNamespaceOf(o.metadata?.namespace ?? '');
      return namespace ? { namespace, name: o.metadata?.name ?? '' } : undefined;
    },
    maxConcurrentReconciles: 2,
    logger: options.logger,
  }).build(async (req) => {
    const reader = consumer.cache.reader<ClaimedObject>(resource);
    if (!reader.hasSynced) return { requeueAfter: 500 };
    const local = reader.get(req.name, req.namespace);
    let providerNamespace = provider.providerNamespaceOf(req.namespace);
    if (!providerNamespace) {
      // Only a consumer-owned original can need a provider namespace that does not exist yet.
      const needsOne =
        local !== undefined &&
        ownerOf(local, undefined) === 'consumer' &&
        claims(claim.selector, local, req.namespace);
      if (!needsOne) return done;
      providerNamespace = await providerNamespaceOf(
        provider.client,
        clusterNamespace,
        req.namespace,
        options.exportRef,
      );
      return { requeueAfter: providerNamespace ? 500 : 1_000 };
    }
    const cached = provider.cached<ClaimedObject>(resource, {
      namespace: providerNamespace,
      name: req.name,
    });
    if (cached === 'unknown') return { requeueAfter: 500 };
    const remote = cached;
    const owner = ownerOf(local, remote);
    if (!owner) {
      const claimed =
        claims(claim.selector, local ?? {}, req.namespace) ||
        claims(claim.selector, remote ?? {}, req.namespace);
      if (local && remote && claimed) conflict(local, `${providerNamespace}/${req.name} on the provider`);
      return done;
    }
    if (owner === 'consumer') {
      if (!local) {
        if (remote && isOurProviderCopy(remote, req.namespace))
          await deleteIgnoringNotFound(provider.client, resource, remote);
        return done;
      }
      if (!claims(claim.selector, local, req.namespace)) return done;
      if (remote && !isOurProviderCopy(remote, req.namespace)) {
        conflict(local, `${providerNamespace}/${req.name} on the provider`);
        return done;
      }
      const desired = copyOf(local, apiVersion, resource.kind, {
        namespace: providerNamespace,
        owner: 'consumer',
        annotations: {
          [CLUSTER_NAMESPACE_ANNOTATION]: clusterNamespace,
          [CONSUMER_NAMESPACE_ANNOTATION]: req.namespace,
          [CONSUMER_UID_ANNOTATION]: local.metadata?.uid ?? '',
        },
      });
      if (!remote || differs(remote, desired))
        await applyCopy(provider.client, resource, desired, local, consumer, 'provider');
      return done;
    }
    if (!remote) {
      if (local && isOurConsumerCopy(local, providerNamespace))
        await deleteIgnoringNotFound(consumer.client, resource, local);
      return done;
    }
    if (!claims(claim.selector, remote, req.namespace)) return done;
    if (local && !isOurConsumerCopy(local, providerNamespace)) {
      conflict(local, `${req.namespace}/${req.name} on the consumer`);
      return done;
    }
    const desired = copyOf(remote, apiVersion, resource.kind, {
      namespace: req.namespace,
      owner: 'provider',
      annotations: {
        [PROVIDER_NAMESPACE_ANNOTATION]: providerNamespace,
        [PROVIDER_UID_ANNOTATION]: remote.metadata?.uid ?? '',
      },
    });
    if (local && !differs(local, desired)) return done;
    await ensureConsumerNamespace(consumer.client, req.namespace);
    await applyCopy(consumer.client, resource, desired, local, consumer, 'consumer');
    return done;
  });
}

/** The copy of `source` for the other side: its content, labels and annotations, marked with the owner. */
function copyOf(
  source: ClaimedObject,
  apiVersion: string,
  kind: string,
  target: { namespace: string; owner: Owner; annotations: Record<string, string> },
): ClaimedObject {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.metadata?.labels ?? {})) if (!isKcpMetadata(k)) labels[k] = v;
  labels[OWNER_LABEL] = target.owner;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.metadata?.annotations ?? {})) {
    const otherSide = [
      CLUSTER_NAMESPACE_ANNOTATION,
      CONSUMER_NAMESPACE_ANNOTATION,
      CONSUMER_UID_ANNOTATION,
      PROVIDER_NAMESPACE_ANNOTATION,
      PROVIDER_UID_ANNOTATION,
    ];
    if (!isKcpMetadata(k) && !sideOnlyAnnotations.includes(k) && !otherSide.includes(k)) annotations[k] = v;
  }
  Object.assign(annotations, target.annotations);
  return {
    apiVersion,
    kind,
    metadata: { name: source.metadata?.name ?? '', namespace: target.namespace, labels, annotations },
    ...(source.data ? { data: source.data } : {}),
    ...(source.binaryData ? { binaryData: source.binaryData } : {}),
    ...(source.type ? { type: source.type } : {}),
    ...(source.immutable !== undefined ? { immutable: source.immutable } : {}),
  };
}

/** Whether `existing` differs from the copy it should be: content exactly, labels exactly, annotations as a superset. */
function differs(existing: ClaimedObject, desired: ClaimedObject): boolean {
  if (!same(sorted(existing.data), sorted(desired.data))) return true;
  if (!same(sorted(existing.binaryData), sorted(desired.binaryData))) return true;
  if (!same(sorted(existing.metadata?.labels), sorted(desired.metadata?.labels))) return true;
  const have = existing.metadata?.annotations ?? {};
  return Object.entries(desired.metadata?.annotations ?? {}).some(([k, v]) => have[k] !== v);
}

/** Writes a copy by server-side apply; a copy the other side rejects is reported on the consumer object. */
async function applyCopy(
  client: Client,
  resource: ResourceDescriptor,
  desired: ClaimedObject,
  consumerObject: ClaimedObject | undefined,
  consumer: Cluster,
  side: 'provider' | 'consumer',
): Promise<void> {
  try {
    await client.apply(resource, desired, { fieldManager: FIELD_MANAGER, force: true });
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (consumerObject && code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
      consumer.events.record(consumerObject, {
        type: 'Warning',
        reason: 'ClaimRejected',
        message: `the ${side} rejected the copy of ${resource.kind} ${desired.metadata?.namespace}/${desired.metadata?.name}: ${messageOf(error)}. It is retried`,
      });
    }
    throw error;
  }
}

/** Deletes an object this konnector copied; already gone is fine. */
async function deleteIgnoringNotFound(
  client: Client,
  resource: ResourceDescriptor,
  object: KubeObject,
): Promise<void> {
  try {
    await client.delete(resource, object.metadata?.name ?? '', {
      namespace: object.metadata?.namespace ?? '',
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Creates the consumer namespace a provider-owned object goes into, labelled as the provider's. */
async function ensureConsumerNamespace(client: Client, name: string): Promise<void> {
  try {
    await client.create(NamespaceResource, { metadata: { name, labels: { [OWNER_LABEL]: 'provider' } } });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}
