import {
  type Client,
  type Cluster,
  type Controller,
  ControllerBuilder,
  type CustomResourceDefinition,
  CustomResourceDefinitionResource,
  type Logger,
  type Secret,
  SecretResource,
  enqueueFromMap,
  isNotFound,
  newCluster,
  silentLogger,
} from '@kubeloom/core';
import {
  type APIServiceBinding,
  APIServiceBindingResource,
  BindingConditions,
} from '../api/apiservicebinding.ts';
import { type APIServiceExport, APIServiceExportResource } from '../api/apiserviceexport.ts';
import { APIServiceExportRequestResource } from '../api/apiserviceexportrequest.ts';
import { type BoundSchema, BoundSchemaResource, boundSchemaName } from '../api/boundschema.ts';
import { findCondition } from '../api/conditions.ts';
import { unsyncedClaimReason } from '../api/permission-claims.ts';
import { installKubeBindCrds } from '../api/install-crds.ts';
import { ensureBoundApiBinding } from './bound-api-binding.ts';
import { ensureBoundCrd } from './bound-crd.ts';
import { BindingStatus } from './binding-status.ts';
import { providerFailure } from './failure-reason.ts';
import { ProviderConnection } from './provider-connection.ts';
import { readProviderKubeconfig } from './provider-kubeconfig.ts';

/** How a konnector runs. */
export interface KonnectorOptions {
  /** The consumer cluster: where APIServiceBindings, their kubeconfig Secrets and the bound CRDs and objects are. */
  readonly consumer: Client;
  readonly logger?: Logger;
  /** The heartbeat interval written to ClusterBindings (a beat every half of it). Default 5 minutes. */
  readonly heartbeatIntervalMs?: number;
  /** How often each binding re-reads its export and schemas from the provider. Default 30 s. */
  readonly resyncMs?: number;
  /** Written to `ClusterBinding.status.konnectorVersion`. */
  readonly version?: string;
  /** Install or upgrade the APIServiceBinding CRD on start. Default true. */
  readonly installCrd?: boolean;
  /**
   * How bound resources are served on the consumer: `CustomResourceDefinitions` (default; a Kubernetes
   * cluster), or `APIBindings` for a consumer kcp workspace (an APIResourceSchema, APIExport and APIBinding
   * in the workspace per bound resource, instead of a CRD).
   */
  readonly consumerApis?: 'CustomResourceDefinitions' | 'APIBindings';
}

/** This package's konnector version, written into ClusterBindings. */
export const KONNECTOR_VERSION = 'kubeloom-konnector/v0.1.0';

/**
 * The consumer-side agent of kube-bind, one process for every provider a cluster binds: for each
 * APIServiceBinding it connects to the provider with the kubeconfig in the binding's Secret, installs the
 * CRDs of the export's BoundSchemas (never taking over a CRD it does not own), keeps one resource syncer per
 * bound resource running (spec up, status down, deletes through the `kubebind.io/syncer` finalizer), and
 * beats on the provider's ClusterBinding. Bindings whose Secrets hold the same kubeconfig share one
 * provider connection; a changed kubeconfig (rotated by the provider, or replaced by the user) opens a new
 * one and closes the old one once unused. Nothing bound is deleted because the provider is unreachable or
 * refuses the credentials: the binding's conditions and events say so.
 */
export class Konnector {
  readonly #options: KonnectorOptions;
  readonly #logger: Logger;
  readonly #connections = new Map<string, ProviderConnection>();
  /** Which connection each binding uses (by kubeconfig digest). */
  readonly #bindingConnection = new Map<string, string>();
  #consumer: Cluster | undefined;
  #controller: Controller | undefined;

  constructor(options: KonnectorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** How many provider connections are open (one per distinct kubeconfig in use). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Installs the APIServiceBinding CRD on the consumer (unless `installCrd` is false), then runs until
   * `signal` aborts, and stops every syncer and closes every provider connection.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#options.installCrd !== false) await installKubeBindCrds(this.#options.consumer, 'consumer');
    const consumer = newCluster('', this.#options.consumer, {
      signal,
      logger: this.#logger,
      eventComponent: 'konnector',
    });
    this.#consumer = consumer;
    const bindings = (): APIServiceBinding[] => consumer.cache.reader(APIServiceBindingResource).list();
    const controller = new ControllerBuilder('konnector-bindings')
      .for(APIServiceBindingResource, { clusters: 'local' })
      .watches(
        SecretResource,
        enqueueFromMap((secret: Secret) =>
          bindings()
            .filter(
              (b) =>
                b.spec.kubeconfigSecretRef.namespace === secret.metadata?.namespace &&
                b.spec.kubeconfigSecretRef.name === secret.metadata?.name,
            )
            .map((b) => ({ namespace: '', name: b.metadata.name ?? '' })),
        ),
        { clusters: 'local' },
      )
      .watches(
        CustomResourceDefinitionResource,
        enqueueFromMap((crd: CustomResourceDefinition) =>
          (crd.metadata?.ownerReferences ?? [])
            .filter((o) => o.kind === 'APIServiceBinding')
            .map((o) => ({ namespace: '', name: o.name })),
        ),
        { clusters: 'local' },
      )
      .withOptions({ maxConcurrentReconciles: 2, gracefulShutdownMs: 5_000, logger: this.#logger })
      .build((req) => this.#reconcile(req.name));
    this.#controller = controller;
    await controller.engage('', consumer, signal);
    try {
      await controller.start(signal);
    } finally {
      for (const connection of this.#connections.values()) await connection.close();
      this.#connections.clear();
      this.#bindingConnection.clear();
    }
  }

  async #reconcile(name: string): Promise<{ requeueAfter: number } | undefined> {
    const consumer = this.#consumer;
    if (!consumer) throw new Error('unreachable: reconciles run after start');
    const resyncMs = this.#options.resyncMs ?? 30_000;
    const binding = consumer.cache.reader(APIServiceBindingResource).get(name);
    if (!binding || binding.metadata.deletionTimestamp) {
      await this.#release(name);
      return undefined;
    }
    const status = new BindingStatus(binding);
    const ref = binding.spec.kubeconfigSecretRef;
    const secret = consumer.cache.reader(SecretResource).get(ref.name, ref.namespace);
    const read = readProviderKubeconfig(secret, ref);
    if (!read.ok) {
      // Keep the running syncers: a Secret being replaced must not stop what is bound.
      status.set({
        type: BindingConditions.SecretValid,
        status: 'False',
        reason: read.reason,
        message: read.message,
      });
      await this.#writeStatus(binding, status);
      return { requeueAfter: resyncMs };
    }
    status.set({ type: BindingConditions.SecretValid, status: 'True' });
    const connection = await this.#acquire(name, read.kubeconfig, ref);
    const heartbeat = connection.heartbeat;
    if (heartbeat.status === 'True') {
      status.providerPrettyName = heartbeat.providerPrettyName;
      status.set({ type: BindingConditions.Heartbeating, status: 'True' });
    } else if (heartbeat.status === 'False') {
      status.set({ type: BindingConditions.Heartbeating, status: 'False', ...heartbeat.failure });
    } else {
      status.set({
        type: BindingConditions.Heartbeating,
        status: 'Unknown',
        reason: 'FirstHeartbeatPending',
      });
    }
    const ns = read.kubeconfig.clusterNamespace;
    const secretName = `${ref.namespace}/${ref.name}`;
    let exported: APIServiceExport;
    try {
      exported = await connection.client.get(APIServiceExportResource, name, { namespace: ns });
    } catch (error) {
      if (isNotFound(error)) {
        const message = await this.#missingExportMessage(connection, name, ns);
        status.set({
          type: BindingConditions.Connected,
          status: 'False',
          reason: 'APIServiceExportNotFound',
          message,
        });
      } else {
        status.set({
          type: BindingConditions.Connected,
          status: 'False',
          ...providerFailure(error, read.kubeconfig.server, secretName),
        });
      }
      await this.#writeStatus(binding, status);
      return { requeueAfter: Math.min(resyncMs, 5_000) };
    }
    const keep = new Set<string>();
    const bound: Array<{ group: string; resource: string }> = [];
    let problem: { reason: string; message: string } | undefined;
    let pending = false;
    for (const resource of exported.spec.resources) {
      const schemaName = boundSchemaName(resource.group, resource.resource);
      let schema: BoundSchema;
      try {
        schema = await connection.client.get(BoundSchemaResource, schemaName, { namespace: ns });
      } catch (error) {
        problem ??= isNotFound(error)
          ? {
              reason: 'BoundSchemaNotFound',
              message: `the provider has no BoundSchema ${schemaName} in namespace ${ns} for APIServiceExport ${name}; the backend creates it`,
            }
          : providerFailure(error, read.kubeconfig.server, secretName);
        continue;
      }
      const outcome =
        this.#options.consumerApis === 'APIBindings'
          ? await ensureBoundApiBinding(consumer.client, schema, binding)
          : await ensureBoundCrd(consumer.client, schema, binding);
      if (!outcome.ok) {
        problem ??= outcome;
        continue;
      }
      bound.push({ group: resource.group, resource: resource.resource });
      if (!outcome.established) {
        pending = true;
        continue;
      }
      keep.add(await connection.ensureSyncer(name, schema, exported));
    }
    let unsyncedClaim: string | undefined;
    for (const [index, claim] of (exported.spec.permissionClaims ?? []).entries()) {
      const why = unsyncedClaimReason(claim);
      if (why) {
        unsyncedClaim ??= why;
        continue;
      }
      keep.add(await connection.ensureClaimSyncer(name, claim, index, exported));
    }
    await connection.keepSyncers(name, keep);
    // Not part of Ready: the bound resources work without the claims this konnector cannot sync.
    status.set(
      unsyncedClaim
        ? {
            type: BindingConditions.PermissionClaimsSynced,
            status: 'False',
            severity: 'Warning',
            reason: 'UnsupportedPermissionClaim',
            message: `${unsyncedClaim}; its objects are not synced`,
          }
        : { type: BindingConditions.PermissionClaimsSynced, status: 'True' },
    );
    const unwatched = connection.namespacesIfStarted?.unwatched() ?? [];
    const first = unwatched[0];
    status.set(
      first
        ? {
            type: BindingConditions.ProviderNamespacesWatched,
            status: 'False',
            severity: 'Warning',
            reason: first.code === 403 ? 'ProviderNamespaceForbidden' : 'ProviderNamespaceUnwatchable',
            message: `cannot watch provider namespace ${first.provider} (consumer namespace ${first.consumer})${unwatched.length > 1 ? ` and ${unwatched.length - 1} more` : ''}: ${first.error.message}. The backend grants the konnector each namespace when it assigns it; until then objects there are not synced, and nothing is deleted`,
          }
        : { type: BindingConditions.ProviderNamespacesWatched, status: 'True' },
    );
    status.boundSchemas = bound;
    status.permissionClaims = exported.spec.permissionClaims;
    if (problem) {
      status.set({
        type: BindingConditions.Connected,
        status: 'False',
        reason: problem.reason,
        message: problem.message,
      });
      status.set({
        type: BindingConditions.SchemaInSync,
        status: 'False',
        reason: problem.reason,
        message: problem.message,
      });
    } else {
      status.set({ type: BindingConditions.Connected, status: 'True' });
      status.set(
        pending
          ? {
              type: BindingConditions.SchemaInSync,
              status: 'Unknown',
              reason:
                this.#options.consumerApis === 'APIBindings'
                  ? 'APIBindingNotBound'
                  : 'CustomResourceDefinitionNotEstablished',
            }
          : { type: BindingConditions.SchemaInSync, status: 'True' },
      );
    }
    await this.#writeStatus(binding, status);
    return { requeueAfter: pending ? 500 : resyncMs };
  }

  /** Why the export is missing: the request's terminal message when the backend failed it. */
  async #missingExportMessage(connection: ProviderConnection, name: string, ns: string): Promise<string> {
    try {
      const request = await connection.client.get(APIServiceExportRequestResource, name, { namespace: ns });
      if (request.status?.phase === 'Failed') {
        return `the backend failed APIServiceExportRequest ${ns}/${name}: ${request.status.terminalMessage ?? 'no message'}. Bind again (kubeloom bind)`;
      }
      return `APIServiceExport ${ns}/${name} does not exist yet; the backend is processing APIServiceExportRequest ${ns}/${name}`;
    } catch {
      return `the provider has no APIServiceExport ${ns}/${name}; bind an export the provider offers (kubeloom bind)`;
    }
  }

  /** The connection for this kubeconfig, moving the binding off the one it used before (credential rotation). */
  async #acquire(
    binding: string,
    kubeconfig: ProviderConnection['kubeconfig'],
    ref: APIServiceBinding['spec']['kubeconfigSecretRef'],
  ): Promise<ProviderConnection> {
    const previous = this.#bindingConnection.get(binding);
    if (previous !== undefined && previous !== kubeconfig.digest) await this.#release(binding);
    let connection = this.#connections.get(kubeconfig.digest);
    if (!connection) {
      const consumer = this.#consumer;
      if (!consumer) throw new Error('unreachable: connections are opened after start');
      connection = new ProviderConnection({
        kubeconfig,
        consumer,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs ?? 300_000,
        konnectorVersion: this.#options.version ?? KONNECTOR_VERSION,
        onHeartbeatChange: (names) => {
          for (const n of names) this.#controller?.enqueue({ cluster: '', namespace: '', name: n });
        },
        logger: this.#logger.child({
          provider: kubeconfig.server,
          clusterNamespace: kubeconfig.clusterNamespace,
        }),
      });
      this.#connections.set(kubeconfig.digest, connection);
      this.#logger.info(
        { provider: kubeconfig.server, clusterNamespace: kubeconfig.clusterNamespace },
        'connected to a provider',
      );
    }
    connection.add(binding, ref);
    this.#bindingConnection.set(binding, kubeconfig.digest);
    return connection;
  }

  /** The binding stops using its connection; an unused connection closes. Nothing is deleted anywhere. */
  async #release(binding: string): Promise<void> {
    const digest = this.#bindingConnection.get(binding);
    if (digest === undefined) return;
    this.#bindingConnection.delete(binding);
    const connection = this.#connections.get(digest);
    if (connection && (await connection.remove(binding))) {
      this.#connections.delete(digest);
      await connection.close();
    }
  }

  /** Writes the status when it changed, recording an event for each condition that turned False. */
  async #writeStatus(binding: APIServiceBinding, status: BindingStatus): Promise<void> {
    const next = status.toStatus();
    if (JSON.stringify(next) === JSON.stringify(binding.status ?? {})) return;
    for (const condition of next.conditions ?? []) {
      if (condition.status !== 'False' || condition.type === 'Ready') continue;
      const before = findCondition(binding.status?.conditions, condition.type);
      if (before?.status === 'False' && before.reason === condition.reason) continue;
      this.#consumer?.events.record(binding, {
        type: 'Warning',
        reason: condition.reason ?? condition.type,
        message: condition.message ?? '',
      });
    }
    // A merge patch of the whole status: only the konnector writes it, and a cache that lags behind the
    // konnector's own last write (a loaded API server) must not turn every write into a 409 and backoff.
    await this.#options.consumer.patch(
      APIServiceBindingResource,
      binding.metadata.name ?? '',
      { status: next },
      { subresource: 'status' },
    );
  }
}
