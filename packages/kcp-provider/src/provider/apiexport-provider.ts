import {
  type Aware,
  Client,
  ClientEventRecorder,
  type Cluster,
  ClusterNotFoundError,
  type ClusterName,
  type EventRecorder,
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

/** One engaged workspace. */
interface Engagement {
  readonly cluster: Cluster;
  readonly endpoint: Endpoint;
  readonly controller: AbortController;
  readonly signal: AbortSignal;
}

/**
 * Engages kcp workspaces that bind an APIExport, through the export's virtual workspaces.
 *
 * It follows the APIExportEndpointSlice: for every URL (one per shard) it runs an {@link Endpoint} whose
 * shared informers watch `<url>/clusters/*` — one watch per resource per shard, however many workspaces
 * are bound. Workspaces are discovered from the APIBindings the virtual workspace serves: engaged once a
 * binding is Ready, disengaged when the last binding is gone (and, by default, when none has been Ready for
 * a grace period). Each engaged workspace is a {@link Cluster} whose cache is a scoped view of the endpoint's
 * informers and whose client writes to `<url>/clusters/<name>`. Engagement happens outside watch callbacks,
 * and one slow workspace never delays another.
 *
 * Mistakes fail loudly: a slice that is missing (wrong name or workspace) or cannot be read (403, 401,
 * unreachable) keeps {@link ready} pending and {@link notReadyReason} set — so the manager's `/readyz`
 * fails with it — and is logged once, then with backoff, while the watch retries. Bindings that do not
 * accept the permission claims the controllers need are reported (and, by option, not engaged).
 */
export class APIExportProvider {
  readonly #options: APIExportProviderOptions;
  readonly #base: Client;
  readonly #log: Logger;
  readonly #workspace: ProviderWorkspace;
  readonly #claimsReport: MissingClaimsReport;
  /** Watch failures through the VW are retried constantly; they are logged once, then with backoff. */
  readonly #watchFailureLog = new LogThrottle();
  readonly #endpoints = new Map<string, { endpoint: Endpoint; tracker: BindingTracker }>();
  #slice: FollowedObject<APIExportEndpointSlice> | undefined;
  /** Whether "the slice has no endpoints yet" was logged since it last had some. */
  #toldNoEndpoints = false;
  readonly #engaged = new Map<ClusterName, Engagement>();
  /** Workspace path → logical cluster name, from bindings' `kcp.io/path` and from resolved lookups. */
  readonly #paths = new Map<string, ClusterName>();
  /** Logical cluster name → workspace path (bindings' `kcp.io/path`), logged as `clusterPath` beside `cluster`. */
  readonly #pathOfCluster = new Map<ClusterName, string>();
  /** Field indexes for current and future endpoints, per resource. */
  readonly #indexes = new Map<string, Array<{ name: string; extract: IndexExtractor }>>();
  #aware: Aware | undefined;
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
    this.#aware = aware;
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
    const direct = this.#engaged.get(nameOrPath);
    if (direct) return direct.cluster;
    if (!isWorkspacePath(nameOrPath)) throw new ClusterNotFoundError(nameOrPath);
    let name = this.#paths.get(nameOrPath);
    if (!name || !this.#engaged.has(name)) {
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
    const engaged = this.#engaged.get(name);
    if (!engaged)
      throw new ClusterNotFoundError(nameOrPath, `logical cluster ${name} does not bind the export`);
    return engaged.cluster;
  }

  /** Names of the engaged workspaces (logical cluster names). */
  clusterNames(): ClusterName[] {
    return [...this.#engaged.keys()];
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
        if (!this.#engaged.has(cluster)) continue;
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
      [...this.#endpoints.values()].map(({ endpoint }) =>
        endpoint.wildcardClient.list(resource, {
          ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      ),
    );
    return lists.flatMap((l) => l.items).filter((o) => this.#engaged.has(clusterOf(o)));
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
    const urls = new Set((slice?.status?.endpoints ?? []).map((e) => e.url));
    if (slice && urls.size === 0 && !this.#toldNoEndpoints) {
      this.#toldNoEndpoints = true;
      this.#log.info(
        `APIExportEndpointSlice "${this.#options.endpointSlice}" in workspace ${this.#workspace.path} has no endpoints yet: no workspace binds APIExport "${slice.spec.export.name}" yet (kcp adds one virtual-workspace URL per shard once an APIBinding exists there); ready with 0 clusters`,
      );
    }
    if (urls.size > 0) this.#toldNoEndpoints = false;
    for (const [url, { endpoint, tracker }] of this.#endpoints) {
      if (urls.has(url)) continue;
      this.#log.info({ url }, 'endpoint left the slice; stopping it');
      tracker.clear();
      endpoint.stop();
      this.#endpoints.delete(url);
      for (const [name, engagement] of this.#engaged) {
        if (engagement.endpoint === endpoint) this.#disengage(name, 'its endpoint left the slice');
      }
    }
    for (const url of urls) {
      if (this.#endpoints.has(url) || signal.aborted) continue;
      this.#log.info({ url }, 'following endpoint');
      const endpoint = new Endpoint(url, this.#base, signal, this.#informerOptions(url), this.#indexes);
      const tracker = new BindingTracker(
        {
          engage: (cluster) => this.#engage(cluster, endpoint),
          disengage: (cluster, reason) => this.#disengage(cluster, reason),
        },
        this.#options,
      );
      this.#endpoints.set(url, { endpoint, tracker });
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

  #informerOptions(url: string): InformerOptions {
    return {
      ...this.#options.informerOptions,
      onError: (err) => {
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
  #clusterFields(name: ClusterName): { cluster: ClusterName; clusterPath?: string } {
    const path = this.#pathOfCluster.get(name);
    return path === undefined ? { cluster: name } : { cluster: name, clusterPath: path };
  }

  #engage(name: ClusterName, endpoint: Endpoint): void {
    if (this.#engaged.has(name)) return;
    const controller = new AbortController();
    const signal = AbortSignal.any([endpoint.signal, controller.signal]);
    const client = endpoint.clusterClient(name);
    const log = this.#log.child(this.#clusterFields(name));
    const events: EventRecorder = new ClientEventRecorder(client, {
      component: this.#options.eventComponent ?? 'kubeloom',
      logger: log,
    });
    const cluster: Cluster = { name, client, cache: new EndpointClusterCache(endpoint, name), events };
    this.#engaged.set(name, { cluster, endpoint, controller, signal });
    signal.addEventListener('abort', () => {
      if (this.#engaged.get(name)?.controller === controller) this.#engaged.delete(name);
      for (const [path, n] of this.#paths) if (n === name) this.#paths.delete(path);
      this.#pathOfCluster.delete(name);
    });
    log.info('engaging workspace');
    // Never engage inside the watch callback that discovered the workspace.
    setImmediate(() => {
      if (signal.aborted || !this.#aware) return;
      this.#aware.engage(name, cluster, signal).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'engaging the workspace failed');
      });
    });
  }

  #disengage(name: ClusterName, reason: string): void {
    const engagement = this.#engaged.get(name);
    if (!engagement) return;
    this.#log.info({ ...this.#clusterFields(name), reason }, 'disengaging workspace');
    engagement.controller.abort();
  }

  async #signalReadyWhenSynced(
    slice: FollowedObject<APIExportEndpointSlice>,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      // Not before the slice exists: a missing slice is a mistake to report, not an empty fleet.
      await slice.whenFound(signal);
      await Promise.all(
        [...this.#endpoints.values()].map(({ endpoint }) =>
          endpoint.informer(APIBindingResource).waitForSync({ signal, timeoutMs: 24 * 3600_000 }),
        ),
      );
      await new Promise((r) => setImmediate(r));
    } catch {
      // Aborted: ready stays pending, which is what a stopped provider should report.
      return;
    }
    this.#resolveReady();
  }
}
