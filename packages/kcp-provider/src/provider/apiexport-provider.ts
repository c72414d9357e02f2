import {
  type Aware,
  Client,
  type Cluster,
  ClusterNotFoundError,
  type ClusterName,
  type IndexExtractor,
  type InformerOptions,
  type KubeConfigSource,
  type KubeObject,
  type Logger,
  type RequestObserver,
  type ResourceDescriptor,
  clusterOf,
  parseLabelSelector,
  resourceKey,
  silentLogger,
  untilAborted,
} from '@kubeloom/core';
import type { Registry } from 'prom-client';
import {
  type APIBinding,
  APIBindingResource,
  type APIExportEndpointSlice,
  APIExportEndpointSliceResource,
} from '../apis/apis.ts';
import { isWorkspacePath } from '../apis/urls.ts';
import { logicalClusterName } from '../workspaces/workspaces.ts';
import { getCondition } from '../apis/conditions.ts';
import { BindingTracker, type BindingTrackerOptions } from './binding-tracker.ts';
import { Endpoint } from './endpoint.ts';
import { EndpointClusterCache } from './endpoint-cluster-cache.ts';
import {
  EngagedWorkspaces,
  type KcpWorkspaceProvider,
  type WorkspaceLogFields,
} from './engaged-workspaces.ts';
import { FollowedObject } from './follow-named-object.ts';
import { MissingClaimsReport } from './missing-claims-report.ts';
import { LogThrottle } from './problem-log.ts';
import { missingPermissionClaims } from './permission-claims.ts';
import { type ProviderWorkspace, providerWorkspace } from './provider-workspace.ts';

/** Options for {@link APIExportProvider}. */
export interface APIExportProviderOptions extends BindingTrackerOptions {
  /**
   * A client for the provider workspace (the one holding the APIExport and its endpoint slice), e.g. a
   * kubeconfig whose server is `https://kcp/clusters/root:my-provider`. Give this or `kubeconfig`. A server
   * URL without `/clusters/<workspace>` is rejected by the constructor.
   */
  client?: Client;
  /** Where to load the provider workspace's kubeconfig from (see `loadKubeConfig`). */
  kubeconfig?: KubeConfigSource;
  /** APIExportEndpointSlice to follow. kcp creates one named like the export. */
  endpointSlice: string;
  /** Options for every informer (watch timeouts, backoff, transform). */
  informerOptions?: InformerOptions;
  /** Where the provider logs what it engages and what goes wrong. Default: nothing is logged. */
  logger?: Logger;
  /** Told about every request the provider's clients send (for metrics, or to count watch connections). */
  observer?: RequestObserver;
  /** Component name on recorded Events. Default `kubeloom`. */
  eventComponent?: string;
  /**
   * Resolves a workspace path to its logical cluster name when {@link APIExportProvider.get} is given a path
   * the provider has not seen on a binding yet. Default: read the workspace's LogicalCluster through the
   * provider's own client on the shard (needs read access to that workspace).
   */
  resolvePath?: (path: string) => Promise<string>;
  /**
   * Where to register the provider's metrics, e.g. the manager's `registry`: the gauge
   * `kubeloom_kcp_binding_missing_claims{cluster,workspace,binding}` (see `requiredPermissionClaims`).
   */
  registry?: Registry;
}

/** One virtual-workspace URL of the slice (one shard) and the bindings it serves. */
interface FollowedEndpoint {
  readonly endpoint: Endpoint;
  readonly tracker: BindingTracker;
  /**
   * Resolves once its APIBinding informer has synced or failed for the first time: an endpoint that is not
   * serving yet is retried in the background and does not hold up {@link APIExportProvider.ready}.
   */
  readonly settled: Promise<void>;
}

/**
 * Engages kcp workspaces that bind an APIExport, through the export's virtual workspaces.
 *
 * It follows the APIExportEndpointSlice: for every URL (one per shard) it runs an {@link Endpoint} whose
 * shared informers watch `<url>/clusters/*` — one watch per resource per shard, however many workspaces
 * are bound. The fleet is the union of what the endpoints serve, and a workspace is engaged through the
 * endpoint that serves it. An endpoint that is not serving yet is retried with backoff while the others go
 * on; an endpoint whose URL leaves the slice is stopped and its workspaces disengaged; a workspace that
 * moves to another shard (served by two endpoints for a while) stays engaged through the first until that
 * one lets it go, and is then handed to the other — never engaged twice at once.
 *
 * Workspaces are discovered from the APIBindings the virtual workspace serves: engaged once a binding is
 * Ready, disengaged when the last binding is gone (and, by default, when none has been Ready for a grace
 * period). Each engaged workspace is a {@link Cluster} whose cache is a scoped view of the endpoint's
 * informers and whose client writes to `<url>/clusters/<name>`. Engagement happens outside watch callbacks,
 * and one slow workspace never delays another.
 *
 * Mistakes fail loudly: a slice that is missing (wrong name or workspace) or cannot be read (403, 401,
 * unreachable) keeps {@link ready} pending and {@link notReadyReason} set — so the manager's `/readyz`
 * fails with it — and is logged once, then with backoff, while the watch retries. Bindings that do not
 * accept the permission claims the controllers need are reported (and, by option, not engaged).
 */
export class APIExportProvider implements KcpWorkspaceProvider {
  readonly #options: APIExportProviderOptions;
  readonly #base: Client;
  readonly #log: Logger;
  readonly #workspace: ProviderWorkspace;
  readonly #claimsReport: MissingClaimsReport;
  /** Watch failures through the VW are retried constantly; they are logged once, then with backoff. */
  readonly #watchFailureLog = new LogThrottle();
  readonly #endpoints = new Map<string, FollowedEndpoint>();
  #slice: FollowedObject<APIExportEndpointSlice> | undefined;
  /** Whether "the slice has no endpoints yet" was logged since it last had some. */
  #toldNoEndpoints = false;
  readonly #workspaces: EngagedWorkspaces;
  /** Workspace → the endpoints whose bindings want it engaged, in the order they asked; the first serves it. */
  readonly #wantedBy = new Map<ClusterName, FollowedEndpoint[]>();
  /** Workspace path → logical cluster name, from bindings' `kcp.io/path` and from resolved lookups. */
  readonly #paths = new Map<string, ClusterName>();
  /** Logical cluster name → workspace path (bindings' `kcp.io/path`), logged as `clusterPath` beside `cluster`. */
  readonly #pathOfCluster = new Map<ClusterName, string>();
  /** Field indexes for current and future endpoints, per resource. */
  readonly #indexes = new Map<string, Array<{ name: string; extract: IndexExtractor }>>();
  #started = false;
  #resolveReady!: () => void;
  /** Resolves once the slice has been read and the workspaces bound at that time are engaged. */
  readonly ready: Promise<void>;

  constructor(options: APIExportProviderOptions) {
    this.#options = options;
    const client =
      options.client ?? (options.kubeconfig ? Client.fromKubeConfig(options.kubeconfig) : undefined);
    if (!client)
      throw new TypeError('APIExportProvider needs `client` or `kubeconfig` for the provider workspace');
    this.#workspace = providerWorkspace(
      client.rest.server,
      'APIExportProvider',
      `APIExportEndpointSlice "${options.endpointSlice}" (the APIExport's workspace)`,
    );
    this.#base = options.observer ? new Client(client.rest.withObserver(options.observer)) : client;
    this.#log = (options.logger ?? silentLogger).child({
      provider: 'apiexport',
      endpointSlice: options.endpointSlice,
      workspace: this.#workspace.path,
    });
    this.#workspaces = new EngagedWorkspaces(this.#log, options.eventComponent ?? 'kubeloom');
    this.#claimsReport = new MissingClaimsReport(
      this.#log,
      options.registry,
      options.engageOnlyWithRequiredClaims ?? false,
    );
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
  }

  /**
   * Follows the endpoint slice and engages workspaces into `aware` until `signal` aborts. Resolves when the
   * provider has stopped.
   */
  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('APIExportProvider.start() was already called');
    this.#started = true;
    this.#workspaces.attach(aware);
    this.#slice = new FollowedObject(
      this.#base,
      APIExportEndpointSliceResource,
      this.#options.endpointSlice,
      (slice) => this.#syncEndpoints(slice, signal),
      {
        informerOptions: this.#options.informerOptions,
        log: this.#log,
        signal,
        workspace: this.#workspace,
        missingHint:
          "check the name (kcp creates one endpoint slice per APIExport, named like the export, in the export's workspace) and that the kubeconfig's server points at the APIExport's workspace",
        rbacHint: 'get, list and watch on apiexportendpointslices.apis.kcp.io',
        validate: (slice) => {
          const valid = getCondition(slice, 'APIExportValid');
          return valid?.status === 'False'
            ? `APIExportEndpointSlice "${this.#options.endpointSlice}" in workspace ${this.#workspace.path} refers to APIExport ${slice.spec.export.path ? `${slice.spec.export.path}:` : ''}${slice.spec.export.name}, which kcp does not accept (${valid.reason ?? 'APIExportValid=False'}: ${valid.message ?? ''}); check the slice's spec.export`
            : undefined;
        },
      },
    );
    void this.#signalReadyWhenSynced(this.#slice, signal);
    await untilAborted(signal);
    for (const { endpoint, tracker } of this.#endpoints.values()) {
      tracker.clear();
      endpoint.stop();
    }
    this.#endpoints.clear();
    this.#claimsReport.clear();
  }

  /**
   * Why the provider cannot serve its fleet right now — the endpoint slice is missing, its workspace does
   * not exist, reading it is forbidden, kcp is unreachable — or `undefined`. The manager's `/readyz`
   * fails with this text. An endpoint slice without endpoints (nothing bound yet) is not a problem.
   */
  notReadyReason(): string | undefined {
    return this.#slice?.problem();
  }

  /** The engaged workspace with this logical cluster name or workspace path (e.g. `root:org:shop`). */
  async get(nameOrPath: ClusterName): Promise<Cluster> {
    const direct = this.#workspaces.get(nameOrPath);
    if (direct) return direct.cluster;
    if (!isWorkspacePath(nameOrPath)) throw new ClusterNotFoundError(nameOrPath);
    let name = this.#paths.get(nameOrPath);
    if (!name || !this.#workspaces.get(name)) {
      try {
        name = await (this.#options.resolvePath ?? ((p: string) => logicalClusterName(this.#base, p)))(
          nameOrPath,
        );
      } catch (err) {
        throw new ClusterNotFoundError(
          nameOrPath,
          `cannot resolve the workspace path to a logical cluster name (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      this.#paths.set(nameOrPath, name);
    }
    const engaged = this.#workspaces.get(name);
    if (!engaged)
      throw new ClusterNotFoundError(nameOrPath, `logical cluster ${name} does not bind the export`);
    return engaged.cluster;
  }

  /** Names of the engaged workspaces (logical cluster names). */
  clusterNames(): ClusterName[] {
    return this.#workspaces.names();
  }

  /** The virtual-workspace URLs currently followed. */
  endpointUrls(): string[] {
    return [...this.#endpoints.keys()];
  }

  /** Adds a per-cluster field index to every current and future endpoint's informer of `resource`. */
  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    const key = resourceKey(resource);
    const list = this.#indexes.get(key) ?? [];
    if (!list.some((i) => i.name === name)) list.push({ name, extract: extract as IndexExtractor });
    this.#indexes.set(key, list);
    for (const { endpoint } of this.#endpoints.values()) endpoint.applyIndex(resource, name, extract);
  }

  /**
   * Cached objects of `resource` across every engaged workspace on every endpoint, optionally by namespace,
   * labels, or a field index value. Starts the endpoints' informers for `resource` if needed (call
   * {@link waitForSync} first for a complete answer).
   */
  list<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options: { namespace?: string; labelSelector?: string; index?: { name: string; value: string } } = {},
  ): T[] {
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    const out: T[] = [];
    for (const { endpoint } of this.#endpoints.values()) {
      const informer = endpoint.informer(resource);
      for (const cluster of informer.store.clusters()) {
        // A workspace moving between shards shows up on both; only the endpoint serving it counts.
        if (this.#workspaces.get(cluster)?.endpoint !== endpoint) continue;
        const scoped = informer.scoped(cluster);
        const objects = options.index
          ? scoped.byIndex(options.index.name, options.index.value)
          : scoped.list(options.namespace !== undefined ? { namespace: options.namespace } : {});
        for (const object of objects) {
          if (
            options.index &&
            options.namespace !== undefined &&
            object.metadata?.namespace !== options.namespace
          )
            continue;
          if (selector && !selector.matches(object.metadata?.labels)) continue;
          out.push(object);
        }
      }
    }
    return out;
  }

  /** Lists `resource` live from every endpoint's wildcard view, in parallel; objects of engaged workspaces only. */
  async listLive<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options: { labelSelector?: string; signal?: AbortSignal } = {},
  ): Promise<T[]> {
    const lists = await Promise.all(
      [...this.#endpoints.values()].map(async ({ endpoint }) => {
        const list = await endpoint.wildcardClient.list(resource, {
          ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return list.items.filter((o) => this.#workspaces.get(clusterOf(o))?.endpoint === endpoint);
      }),
    );
    return lists.flat();
  }

  /** Resolves when every endpoint's informer of `resource` has synced. */
  async waitForSync<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    signal?: AbortSignal,
  ): Promise<void> {
    await Promise.all(
      [...this.#endpoints.values()].map(({ endpoint }) =>
        endpoint.informer(resource).waitForSync(signal ? { signal } : {}),
      ),
    );
  }

  #syncEndpoints(slice: APIExportEndpointSlice | undefined, signal: AbortSignal): void {
    // Keyed by URL; the per-endpoint shard selector of newer kcp releases (and any other new field) changes
    // nothing about how an endpoint is followed.
    const urls = new Set(
      (slice?.status?.endpoints ?? []).flatMap((e) => (typeof e.url === 'string' && e.url ? [e.url] : [])),
    );
    if (slice && urls.size === 0 && !this.#toldNoEndpoints) {
      this.#toldNoEndpoints = true;
      this.#log.info(
        `APIExportEndpointSlice "${this.#options.endpointSlice}" in workspace ${this.#workspace.path} has no endpoints yet: no workspace binds APIExport "${slice.spec.export.name}" yet (kcp adds one virtual-workspace URL per shard once an APIBinding exists there); ready with 0 clusters`,
      );
    }
    if (urls.size > 0) this.#toldNoEndpoints = false;
    for (const [url, followed] of this.#endpoints) {
      if (urls.has(url)) continue;
      this.#log.info({ url }, 'endpoint left the slice; stopping it');
      this.#endpoints.delete(url);
      for (const [name, wanting] of this.#wantedBy) {
        if (wanting.includes(followed)) this.#unwant(name, followed, 'its endpoint left the slice');
      }
      followed.tracker.clear();
      followed.endpoint.stop();
    }
    for (const url of urls) {
      if (this.#endpoints.has(url) || signal.aborted) continue;
      this.#log.info({ url }, 'following endpoint');
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const endpoint = new Endpoint(
        url,
        this.#base,
        signal,
        this.#informerOptions(url, settle),
        this.#indexes,
      );
      const followed: FollowedEndpoint = {
        endpoint,
        settled,
        tracker: new BindingTracker(
          {
            engage: (cluster) => this.#want(cluster, followed),
            disengage: (cluster, reason) => this.#unwant(cluster, followed, reason),
          },
          this.#options,
        ),
      };
      const { tracker } = followed;
      this.#endpoints.set(url, followed);
      void endpoint
        .informer(APIBindingResource)
        .waitForSync({ signal: endpoint.signal, timeoutMs: 24 * 3600_000 })
        .then(settle, settle);
      endpoint.informer(APIBindingResource).addHandler({
        onAdd: (binding) => this.#observeBinding(binding, tracker),
        onUpdate: (_old, binding) => this.#observeBinding(binding, tracker),
        onDelete: (binding) => {
          this.#claimsReport.forget(binding);
          tracker.forget(binding);
        },
      });
    }
  }

  /** `onFirstError` settles the endpoint: one that fails is retried without holding anything up. */
  #informerOptions(url: string, onFirstError: () => void): InformerOptions {
    return {
      ...this.#options.informerOptions,
      onError: (err) => {
        onFirstError();
        this.#options.informerOptions?.onError?.(err);
        if (this.#watchFailureLog.allow(`${url} ${err.message}`))
          this.#log.warn({ url, err: err.message }, 'watch through the virtual workspace failed; retrying');
      },
    };
  }

  #observeBinding(binding: APIBinding, tracker: BindingTracker): void {
    this.#notePath(binding);
    const missing = missingPermissionClaims(binding, this.#options.requiredPermissionClaims);
    this.#claimsReport.observe(binding, missing);
    tracker.observe(binding, missing);
  }

  /** Keeps path → name current from the bindings themselves, so the two never diverge. */
  #notePath(binding: APIBinding): void {
    const path = binding.metadata.annotations?.['kcp.io/path'];
    if (!path) return;
    this.#paths.set(path, clusterOf(binding));
    this.#pathOfCluster.set(clusterOf(binding), path);
  }

  /** `cluster`, and `clusterPath` when the workspace's path is known: people know workspaces by path. */
  #clusterFields(name: ClusterName): WorkspaceLogFields {
    const path = this.#pathOfCluster.get(name);
    return path === undefined ? { cluster: name } : { cluster: name, clusterPath: path };
  }

  /** An endpoint's bindings want the workspace engaged: engage it through that endpoint unless one serves it. */
  #want(name: ClusterName, followed: FollowedEndpoint): void {
    // Array literals, not push onto []: V8 reserves 17 slots for a pushed array, ~150 B per workspace.
    const wanting = this.#wantedBy.get(name);
    if (!wanting) this.#wantedBy.set(name, [followed]);
    else if (!wanting.includes(followed)) this.#wantedBy.set(name, [...wanting, followed]);
    if (!this.#workspaces.get(name)) this.#engageThrough(name, followed);
  }

  /**
   * An endpoint lets a workspace go. If that endpoint was serving it and another one wants it (the workspace
   * moved shards), it is handed over: the old engagement ends first, then the new one starts.
   */
  #unwant(name: ClusterName, followed: FollowedEndpoint, reason: string): void {
    const wanting = (this.#wantedBy.get(name) ?? []).filter((f) => f !== followed);
    if (wanting.length > 0) this.#wantedBy.set(name, wanting);
    else this.#wantedBy.delete(name);
    const engaged = this.#workspaces.get(name);
    if (!engaged || engaged.endpoint !== followed.endpoint) return;
    const next = wanting[0];
    if (next) {
      this.#workspaces.disengage(
        name,
        'workspace moved to another endpoint; handing it over',
        `${reason} at ${followed.endpoint.url}; ${next.endpoint.url} serves it now`,
      );
      this.#engageThrough(name, next);
      return;
    }
    this.#workspaces.disengage(name, 'disengaging workspace', reason);
    for (const [path, n] of this.#paths) if (n === name) this.#paths.delete(path);
    this.#pathOfCluster.delete(name);
  }

  #engageThrough(name: ClusterName, followed: FollowedEndpoint): void {
    const { endpoint } = followed;
    this.#workspaces.engage(name, {
      endpoint,
      fields: this.#clusterFields(name),
      cache: () => new EndpointClusterCache(endpoint, name),
      message: 'engaging workspace',
    });
  }

  async #signalReadyWhenSynced(
    slice: FollowedObject<APIExportEndpointSlice>,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      // Not before the slice exists: a missing slice is a mistake to report, not an empty fleet.
      await slice.whenFound(signal);
      // Every endpoint synced or failed once: one that does not serve yet is retried, not waited for.
      await Promise.all([...this.#endpoints.values()].map((followed) => followed.settled));
      if (signal.aborted) return;
      await new Promise((r) => setImmediate(r));
    } catch {
      // Aborted: ready stays pending, which is what a stopped provider should report.
      return;
    }
    this.#resolveReady();
  }
}
