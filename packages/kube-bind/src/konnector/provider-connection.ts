import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Client,
  type Cluster,
  type Controller,
  type Logger,
  type ResourceDescriptor,
  ConfigMapResource,
  SecretResource,
  defineResource,
  isConflict,
  isNotFound,
  newCluster,
} from '@kubeloom/core';
import type { APIServiceExport } from '../api/apiserviceexport.ts';
import { isolationOf } from '../api/apiserviceexport.ts';
import type { PermissionClaim } from '../api/apiserviceexportrequest.ts';
import type { BoundSchema } from '../api/boundschema.ts';
import { CLUSTER_BINDING_NAME, ClusterBindingResource } from '../api/clusterbinding.ts';
import type { SecretKeyRef } from '../api/group.ts';
import { claimSyncer } from './claim-syncer.ts';
import { type ProviderFailure, providerFailure } from './failure-reason.ts';
import { formatGoDuration } from './go-duration.ts';
import { type Placement, providerNamespaced } from './isolation.ts';
import { type ProviderKubeconfig, providerClient } from './provider-kubeconfig.ts';
import { ProviderNamespacesView } from './provider-namespaces-view.ts';
import { type ProviderSide, wholeProvider } from './provider-side.ts';
import { resourceSyncer } from './resource-syncer.ts';

/** The last heartbeat's outcome, for the bindings' `Heartbeating` condition. */
export type HeartbeatState =
  | { readonly status: 'Unknown' }
  | { readonly status: 'True'; readonly providerPrettyName: string }
  | {
      readonly status: 'False';
      readonly failure: ProviderFailure | { reason: 'ClusterBindingMissing'; message: string };
    };

/** What a connection needs from the konnector. */
export interface ProviderConnectionOptions {
  readonly kubeconfig: ProviderKubeconfig;
  readonly consumer: Cluster;
  readonly heartbeatIntervalMs: number;
  readonly konnectorVersion: string;
  /** Called when the heartbeat's outcome changes: the bindings of this connection are reconciled again. */
  readonly onHeartbeatChange: (bindings: readonly string[]) => void;
  readonly logger: Logger;
}

/** A running resource syncer. */
interface RunningSyncer {
  readonly signature: string;
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

/**
 * One provider, as reached with one kubeconfig: a client and informers for the provider, the heartbeat
 * on its ClusterBinding (which also copies the provider's current kubeconfig into the consumer Secrets, so
 * the provider can rotate credentials), and one resource syncer per bound resource of each binding that
 * uses this kubeconfig. Bindings whose Secrets hold the same kubeconfig share the connection; it closes
 * when the last of them leaves.
 */
export class ProviderConnection {
  /** The provider cluster's name among the engaged clusters (a digest prefix; no credentials). */
  readonly name: string;
  readonly kubeconfig: ProviderKubeconfig;
  readonly client: Client;
  readonly cluster: Cluster;
  readonly #options: ProviderConnectionOptions;
  readonly #lifetime = new AbortController();
  readonly #bindings = new Map<string, SecretKeyRef>();
  readonly #syncers = new Map<string, RunningSyncer>();
  #heartbeat: HeartbeatState = { status: 'Unknown' };
  #beating = false;
  readonly #whole: ProviderSide;
  #namespaces: ProviderNamespacesView | undefined;

  constructor(options: ProviderConnectionOptions) {
    this.#options = options;
    this.kubeconfig = options.kubeconfig;
    this.name = `provider-${options.kubeconfig.digest.slice(0, 16)}`;
    this.client = providerClient(options.kubeconfig);
    this.cluster = newCluster(this.name, this.client, {
      signal: this.#lifetime.signal,
      logger: options.logger,
      eventComponent: 'konnector',
    });
    this.#whole = wholeProvider(this.name, this.cluster);
  }

  /**
   * The provider namespaces of this consumer, each watched on its own (started on first use): for
   * namespaced exports and claimed objects.
   */
  get namespaces(): ProviderNamespacesView {
    this.#namespaces ??= new ProviderNamespacesView({
      client: this.client,
      clusterNamespace: this.kubeconfig.clusterNamespace,
      prefix: `${this.name}/ns/`,
      logger: this.#options.logger,
      signal: this.#lifetime.signal,
    });
    return this.#namespaces;
  }

  /** The provider namespace view if a syncer started it (namespaced exports, claims); undefined otherwise. */
  get namespacesIfStarted(): ProviderNamespacesView | undefined {
    return this.#namespaces;
  }

  /** The last heartbeat's outcome. */
  get heartbeat(): HeartbeatState {
    return this.#heartbeat;
  }

  /** The bindings using this connection. */
  get bindings(): string[] {
    return [...this.#bindings.keys()];
  }

  /** Records that `binding` uses this connection, its kubeconfig in `secret`. */
  add(binding: string, secret: SecretKeyRef): void {
    this.#bindings.set(binding, secret);
    // The first beat needs a binding: it reports the binding's Secret in the ClusterBinding.
    if (!this.#beating) {
      this.#beating = true;
      void this.#heartbeatLoop();
    }
  }

  /** `binding` left: its syncers stop. Resolves to whether the connection is now unused. */
  async remove(binding: string): Promise<boolean> {
    this.#bindings.delete(binding);
    await this.keepSyncers(binding, new Set());
    return this.#bindings.size === 0;
  }

  /**
   * Runs a resource syncer for `schema` of `binding` (restarting it when the export or the schema's served
   * version changed). Returns the syncer's key for {@link keepSyncers}.
   */
  async ensureSyncer(binding: string, schema: BoundSchema, exported: APIServiceExport): Promise<string> {
    const key = `${binding}/${schema.metadata.name}`;
    const version =
      schema.spec.versions.find((v) => v.storage && v.served) ?? schema.spec.versions.find((v) => v.served);
    if (!version)
      throw new Error(`BoundSchema ${schema.metadata.name} serves no version; the provider must serve one`);
    const placement: Placement = {
      clusterNamespace: this.kubeconfig.clusterNamespace,
      namespaced: schema.spec.scope === 'Namespaced',
      isolation: isolationOf(exported),
    };
    // A namespaced resource of a `Namespaced` export is watched per provider namespace of this consumer
    // (its credential may read nothing else); otherwise across the provider.
    const perNamespace = exported.spec.informerScope === 'Namespaced' && placement.namespaced;
    const signature = `${exported.metadata.uid}|${version.name}|${schema.spec.scope}|${placement.isolation}|${perNamespace}`;
    const current = this.#syncers.get(key);
    if (current?.signature === signature) return key;
    if (current) await this.#stopSyncer(key, current);
    const base = {
      group: schema.spec.group,
      version: version.name,
      kind: schema.spec.names.kind,
      plural: schema.spec.names.plural,
    };
    const consumerResource: ResourceDescriptor = defineResource({
      ...base,
      namespaced: placement.namespaced,
    });
    const providerResource: ResourceDescriptor = defineResource({
      ...base,
      namespaced: providerNamespaced(placement),
    });
    const controller: Controller = resourceSyncer({
      name: `konnector-sync-${key}`,
      consumer: this.#options.consumer,
      provider: perNamespace ? this.namespaces : this.#whole,
      consumerResource,
      providerResource,
      placement,
      exportRef: { name: exported.metadata.name ?? '', uid: exported.metadata.uid ?? '' },
      logger: this.#options.logger.child({ binding, resource: schema.metadata.name }),
    });
    const stop = new AbortController();
    await controller.engage('', this.#options.consumer, stop.signal);
    await (perNamespace ? this.namespaces : this.#whole).attach(controller, stop.signal);
    const done = controller.start(stop.signal).catch((error: unknown) => {
      this.#options.logger.error({ err: error, binding }, 'a resource syncer stopped with an error');
    });
    this.#syncers.set(key, { signature, stop, done });
    return key;
  }

  /**
   * Runs a claim syncer for the permission claim `index` of `binding`'s export (restarting it when the
   * export changed). Returns the syncer's key for {@link keepSyncers}.
   */
  async ensureClaimSyncer(
    binding: string,
    claim: PermissionClaim,
    index: number,
    exported: APIServiceExport,
  ): Promise<string> {
    const key = `${binding}/claim-${index}-${claim.resource}`;
    const signature = `${exported.metadata.uid}|${JSON.stringify(claim)}`;
    const current = this.#syncers.get(key);
    if (current?.signature === signature) return key;
    if (current) await this.#stopSyncer(key, current);
    const controller = claimSyncer({
      name: `konnector-claim-${key}`,
      consumer: this.#options.consumer,
      provider: this.namespaces,
      resource: claim.resource === 'secrets' ? SecretResource : ConfigMapResource,
      claim,
      clusterNamespace: this.kubeconfig.clusterNamespace,
      exportRef: { name: exported.metadata.name ?? '', uid: exported.metadata.uid ?? '' },
      logger: this.#options.logger.child({ binding, claim: claim.resource }),
    });
    const stop = new AbortController();
    await controller.engage('', this.#options.consumer, stop.signal);
    await this.namespaces.attach(controller, stop.signal);
    const done = controller.start(stop.signal).catch((error: unknown) => {
      this.#options.logger.error({ err: error, binding }, 'a claim syncer stopped with an error');
    });
    this.#syncers.set(key, { signature, stop, done });
    return key;
  }

  /** Stops the syncers of `binding` whose keys are not in `keep`. */
  async keepSyncers(binding: string, keep: ReadonlySet<string>): Promise<void> {
    for (const [key, syncer] of this.#syncers) {
      if (key.startsWith(`${binding}/`) && !keep.has(key)) await this.#stopSyncer(key, syncer);
    }
  }

  /** Stops everything and closes the provider connections. */
  async close(): Promise<void> {
    for (const [key, syncer] of this.#syncers) await this.#stopSyncer(key, syncer);
    this.#lifetime.abort();
    await this.client.rest.pool.close();
  }

  async #stopSyncer(key: string, syncer: RunningSyncer): Promise<void> {
    this.#syncers.delete(key);
    syncer.stop.abort();
    await syncer.done;
  }

  /** Beats every half interval until the connection closes. */
  async #heartbeatLoop(): Promise<void> {
    const signal = this.#lifetime.signal;
    while (!signal.aborted) {
      const next = await this.#beat();
      const changed = JSON.stringify(next) !== JSON.stringify(this.#heartbeat);
      this.#heartbeat = next;
      if (changed && !signal.aborted) this.#options.onHeartbeatChange(this.bindings);
      try {
        await sleep(this.#options.heartbeatIntervalMs / 2, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  /** One heartbeat: ClusterBinding status, then the provider's current kubeconfig into the consumer Secrets. */
  async #beat(): Promise<HeartbeatState> {
    const ns = this.kubeconfig.clusterNamespace;
    const secrets = [...this.#bindings.values()];
    const first = secrets[0];
    const secretName = first ? `${first.namespace}/${first.name}` : '(none)';
    try {
      let cb;
      try {
        cb = await this.client.get(ClusterBindingResource, CLUSTER_BINDING_NAME, { namespace: ns });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        return {
          status: 'False',
          failure: {
            reason: 'ClusterBindingMissing',
            message: `the provider has no ClusterBinding "cluster" in namespace ${ns}: the backend has not set this consumer up, or removed it. Bind again (kubeloom bind)`,
          },
        };
      }
      await this.client.patch(
        ClusterBindingResource,
        CLUSTER_BINDING_NAME,
        {
          status: {
            lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            heartbeatInterval: formatGoDuration(this.#options.heartbeatIntervalMs),
            konnectorVersion: this.#options.konnectorVersion,
            ...(first ? { consumerSecretRef: { name: first.name, namespace: first.namespace } } : {}),
          },
        },
        { namespace: ns, subresource: 'status' },
      );
      await this.#copyRotatedKubeconfig(cb.spec.kubeconfigSecretRef, secrets);
      return { status: 'True', providerPrettyName: cb.spec.providerPrettyName };
    } catch (error) {
      this.#options.logger.warn({ provider: this.kubeconfig.server, err: error }, 'heartbeat failed');
      return { status: 'False', failure: providerFailure(error, this.kubeconfig.server, secretName) };
    }
  }

  /**
   * The provider keeps the consumer's current kubeconfig in the Secret its ClusterBinding names; when it
   * differs from a consumer Secret that still holds this connection's kubeconfig, that Secret (the very
   * namespace/name the binding references) is updated, and the binding reconnects with the new credentials.
   */
  async #copyRotatedKubeconfig(
    ref: { name: string; key: string },
    secrets: readonly SecretKeyRef[],
  ): Promise<void> {
    let providerSecret;
    try {
      providerSecret = await this.client.get(SecretResource, ref.name, {
        namespace: this.kubeconfig.clusterNamespace,
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const current = providerSecret.data?.[ref.key];
    if (!current) return;
    for (const secret of secrets) {
      const consumerSecret = await this.#options.consumer.client.get(SecretResource, secret.name, {
        namespace: secret.namespace,
      });
      const held = consumerSecret.data?.[secret.key];
      if (held === current) continue;
      // Only a Secret that still holds this connection's kubeconfig is rotated. One that someone replaced
      // (a new bind, or a kubeconfig put there by hand) moves its bindings to a new connection; copying the
      // provider's kubeconfig over it from this old one would undo that.
      if (Buffer.from(held ?? '', 'base64').toString('utf8') !== this.kubeconfig.text) continue;
      try {
        await this.#options.consumer.client.patch(
          SecretResource,
          secret.name,
          {
            metadata: { resourceVersion: consumerSecret.metadata?.resourceVersion ?? null },
            data: { [secret.key]: current },
          },
          { namespace: secret.namespace },
        );
      } catch (error) {
        // Replaced meanwhile: the next beat looks again.
        if (isConflict(error)) continue;
        throw error;
      }
      this.#options.logger.info(
        { secret: `${secret.namespace}/${secret.name}` },
        'the provider rotated the kubeconfig; the consumer Secret was updated',
      );
    }
  }
}
