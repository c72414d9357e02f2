import {
  type Aware,
  Client,
  type Cluster,
  type ClusterCache,
  ClusterNotFoundError,
  type ClusterName,
  type InformerOptions,
  InformerCache,
  type KubeConfigSource,
  type KubeObject,
  type Logger,
  type RequestObserver,
  type ResourceDescriptor,
  type ScopedCache,
  SharedInformer,
  clusterOf,
  resourceKey,
  silentLogger,
  untilAborted,
  waitFor,
} from '@kubeloom/core';
import { type LogicalCluster, LogicalClusterResource } from '../apis/core.ts';
import { type WorkspaceType, WorkspaceTypeResource } from '../apis/tenancy.ts';
import { Endpoint } from './endpoint.ts';
import { EngagedWorkspaces, type KcpWorkspaceProvider } from './engaged-workspaces.ts';
import { FollowedObject } from './follow-named-object.ts';
import { LogThrottle } from './problem-log.ts';
import { type ProviderWorkspace, providerWorkspace } from './provider-workspace.ts';

/** Which lifecycle virtual workspace a provider follows. */
export type WorkspaceLifecyclePhase = 'initializing' | 'terminating';

/** Options for {@link InitializingWorkspacesProvider} and {@link TerminatingWorkspacesProvider}. */
export interface WorkspaceLifecycleProviderOptions {
  /**
   * A client for the workspace that holds the WorkspaceType (server `…/clusters/<workspace>`; a URL without
   * that path is rejected by the constructor). Give this or `kubeconfig`.
   */
  client?: Client;
  /** Where to load that workspace's kubeconfig from (see `loadKubeConfig`). */
  kubeconfig?: KubeConfigSource;
  /** Name of the WorkspaceType (with `spec.initializer: true` or `spec.terminator: true`). */
  workspaceType: string;
  /** Options for every informer (watch timeouts, backoff, transform). */
  informerOptions?: InformerOptions;
  /** Where the provider logs what it engages and what goes wrong. Default: nothing is logged. */
  logger?: Logger;
  /** Told about every request the provider's clients send (for metrics, or to count watch connections). */
  observer?: RequestObserver;
  /** Component name on recorded Events. Default `kubeloom`. */
  eventComponent?: string;
}

/**
 * The cache of a workspace engaged through a lifecycle virtual workspace. Its LogicalCluster comes from the
 * endpoint's shared wildcard informer (the VW lists and watches LogicalClusters only across workspaces);
 * anything else is watched through the workspace's own proxy URL, which the VW serves only while the
 * workspace is in that phase — these workspaces are few and short-lived, so per-workspace watches are fine.
 */
class LifecycleClusterCache implements ClusterCache {
  readonly scope: string;
  readonly #endpoint: Endpoint;
  readonly #own: InformerCache;

  constructor(
    endpoint: Endpoint,
    clusterName: string,
    client: Client,
    signal: AbortSignal,
    options: InformerOptions,
  ) {
    this.scope = clusterName;
    this.#endpoint = endpoint;
    this.#own = new InformerCache(client, signal, { ...options, scope: clusterName });
  }

  informer<T extends KubeObject>(resource: ResourceDescriptor<T>): SharedInformer<T> {
    return resourceKey(resource) === resourceKey(LogicalClusterResource)
      ? this.#endpoint.informer(resource)
      : this.#own.informer(resource);
  }

  reader<T extends KubeObject>(resource: ResourceDescriptor<T>): ScopedCache<T> {
    return this.informer(resource).scoped(this.scope);
  }
}

/**
 * Engages the workspaces that wait for a WorkspaceType's initializer (or terminator), through kcp's
 * initializingworkspaces (terminatingworkspaces) virtual workspace: one URL per shard, from
 * `WorkspaceType.status.virtualWorkspaces`. A workspace is engaged while its LogicalCluster still lists our
 * entry and disengaged when the entry is removed or the LogicalCluster leaves the view. Each engaged
 * workspace's client works on the whole workspace through the VW.
 */
class WorkspaceLifecycleProvider implements KcpWorkspaceProvider {
  readonly #phase: WorkspaceLifecyclePhase;
  readonly #options: WorkspaceLifecycleProviderOptions;
  readonly #base: Client;
  readonly #log: Logger;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #workspaces: EngagedWorkspaces;
  readonly #workspace: ProviderWorkspace;
  #type: FollowedObject<WorkspaceType> | undefined;
  #identifier: string | undefined;
  #toldNoVirtualWorkspace = false;
  /** Watch failures through the VW are retried constantly; they are logged once, then with backoff. */
  readonly #watchFailureLog = new LogThrottle();
  #resolveReady!: () => void;
  /**
   * Resolves once the WorkspaceType has been read, lists its virtual workspaces, and the workspaces waiting
   * for us at that time are engaged. Stays pending while the type is missing or cannot be read.
   */
  readonly ready: Promise<void>;

  constructor(phase: WorkspaceLifecyclePhase, options: WorkspaceLifecycleProviderOptions) {
    this.#phase = phase;
    this.#options = options;
    const client =
      options.client ?? (options.kubeconfig ? Client.fromKubeConfig(options.kubeconfig) : undefined);
    if (!client) throw new TypeError(`the ${phase} workspaces provider needs \`client\` or \`kubeconfig\``);
    this.#workspace = providerWorkspace(
      client.rest.server,
      `${phase === 'initializing' ? 'Initializing' : 'Terminating'}WorkspacesProvider`,
      `WorkspaceType "${options.workspaceType}"`,
    );
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
    this.#base = options.observer ? new Client(client.rest.withObserver(options.observer)) : client;
    this.#log = (options.logger ?? silentLogger).child({
      provider: `${phase}workspaces`,
      workspaceType: options.workspaceType,
      workspace: this.#workspace.path,
    });
    this.#workspaces = new EngagedWorkspaces(this.#log, options.eventComponent ?? 'kubeloom');
  }

  /**
   * The entry this provider owns in `status.initializers` (or `status.terminators`):
   * `<logical cluster of the WorkspaceType's workspace>:<type name>`. Known once the type has been read.
   */
  get identifier(): string | undefined {
    return this.#identifier;
  }

  /** The WorkspaceType field that makes workspaces wait for this provider. */
  get #flag(): 'initializer' | 'terminator' {
    return this.#phase === 'initializing' ? 'initializer' : 'terminator';
  }

  /** Follows the WorkspaceType and engages the workspaces that wait for it into `aware` until `signal` aborts. */
  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    this.#workspaces.attach(aware);
    const flag = this.#flag;
    this.#type = new FollowedObject(
      this.#base,
      WorkspaceTypeResource,
      this.#options.workspaceType,
      (type) => this.#syncEndpoints(type, signal),
      {
        informerOptions: this.#options.informerOptions,
        log: this.#log,
        signal,
        workspace: this.#workspace,
        missingHint:
          "check the name and that the kubeconfig's server points at the workspace that holds the WorkspaceType",
        rbacHint: `get, list and watch on workspacetypes.tenancy.kcp.io (and the verb ${this.#phase === 'initializing' ? 'initialize' : 'terminate'} on workspacetypes/${this.#options.workspaceType})`,
        validate: (type) =>
          type.spec?.[flag] === true
            ? undefined
            : `WorkspaceType "${this.#options.workspaceType}" in workspace ${this.#workspace.path} does not have spec.${flag}: true, so no workspace ever waits for it; set it, or follow another type`,
      },
    );
    void this.#signalReadyWhenSynced(this.#type, signal);
    await untilAborted(signal);
    for (const endpoint of this.#endpoints.values()) endpoint.stop();
    this.#endpoints.clear();
  }

  /**
   * Why the provider cannot serve its workspaces right now — the WorkspaceType is missing, is not an
   * initializer (terminator), its workspace does not exist, reading it is forbidden — or `undefined`. The
   * manager's `/readyz` fails with this text.
   */
  notReadyReason(): string | undefined {
    return this.#type?.problem();
  }

  /** The engaged workspace of that logical cluster name. */
  async get(name: ClusterName): Promise<Cluster> {
    const engaged = this.#workspaces.get(name);
    if (!engaged)
      throw new ClusterNotFoundError(
        name,
        `it is not ${this.#phase} for WorkspaceType ${this.#options.workspaceType}`,
      );
    return engaged.cluster;
  }

  /** Logical cluster names of the engaged workspaces. */
  clusterNames(): ClusterName[] {
    return this.#workspaces.names();
  }

  #syncEndpoints(type: WorkspaceType | undefined, signal: AbortSignal): void {
    if (type) this.#identifier = `${clusterOf(type)}:${type.metadata.name}`;
    const urls = new Set(
      (type?.status?.virtualWorkspaces ?? []).filter((vw) => vw.type === this.#phase).map((vw) => vw.url),
    );
    if (type?.spec?.[this.#flag] === true && urls.size === 0 && !this.#toldNoVirtualWorkspace) {
      this.#toldNoVirtualWorkspace = true;
      this.#log.info(
        `WorkspaceType "${this.#options.workspaceType}" lists no ${this.#phase} virtual workspace yet; kcp adds one per shard shortly after the type is created`,
      );
    }
    if (urls.size > 0) this.#toldNoVirtualWorkspace = false;
    for (const [url, endpoint] of this.#endpoints) {
      if (urls.has(url)) continue;
      endpoint.stop();
      this.#endpoints.delete(url);
    }
    for (const url of urls) {
      if (this.#endpoints.has(url) || signal.aborted) continue;
      this.#log.info({ url }, 'following virtual workspace');
      const endpoint = new Endpoint(url, this.#base, signal, this.#informerOptions(url), new Map());
      this.#endpoints.set(url, endpoint);
      endpoint.informer(LogicalClusterResource).addHandler({
        onAdd: (lc) => this.#consider(lc, endpoint),
        onUpdate: (_o, lc) => this.#consider(lc, endpoint),
        onDelete: (lc) => this.#disengage(clusterOf(lc)),
      });
    }
  }

  async #signalReadyWhenSynced(type: FollowedObject<WorkspaceType>, signal: AbortSignal): Promise<void> {
    try {
      await type.whenFound(signal);
      await waitFor(() => this.#endpoints.size > 0, {
        what: `WorkspaceType "${this.#options.workspaceType}" to list a ${this.#phase} virtual workspace`,
        intervalMs: 100,
        timeoutMs: 365 * 24 * 3600_000,
        signal,
      });
      await Promise.all(
        [...this.#endpoints.values()].map((endpoint) =>
          endpoint.informer(LogicalClusterResource).waitForSync({ signal, timeoutMs: 365 * 24 * 3600_000 }),
        ),
      );
      await new Promise((r) => setImmediate(r));
    } catch {
      // Aborted: ready stays pending, which is what a stopped provider should report.
      return;
    }
    this.#resolveReady();
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

  #entries(lc: LogicalCluster): string[] {
    return (this.#phase === 'initializing' ? lc.status?.initializers : lc.status?.terminators) ?? [];
  }

  #consider(lc: LogicalCluster, endpoint: Endpoint): void {
    const name = clusterOf(lc);
    if (this.#identifier && this.#entries(lc).includes(this.#identifier))
      this.#engage(name, endpoint, lc.metadata?.annotations?.['kcp.io/path']);
    else this.#disengage(name);
  }

  /** `path` (the LogicalCluster's `kcp.io/path`) is logged as `clusterPath` beside `cluster`. */
  #engage(name: ClusterName, endpoint: Endpoint, path: string | undefined): void {
    const informerOptions = this.#options.informerOptions ?? {};
    this.#workspaces.engage(name, {
      endpoint,
      fields: path === undefined ? { cluster: name } : { cluster: name, clusterPath: path },
      cache: (client, signal) => new LifecycleClusterCache(endpoint, name, client, signal, informerOptions),
      message: `engaging ${this.#phase} workspace`,
    });
  }

  #disengage(name: ClusterName): void {
    this.#workspaces.disengage(name, `disengaging workspace: no longer ${this.#phase} for us`);
  }
}

/**
 * Engages workspaces of a WorkspaceType with `spec.initializer: true` while they wait for its initializer.
 * Do the initial setup through `cluster.client`, then call {@link removeInitializer}; the workspace then
 * becomes Ready and is disengaged. A last reconcile may see the LogicalCluster gone: ignore NotFound.
 */
export class InitializingWorkspacesProvider extends WorkspaceLifecycleProvider {
  constructor(options: WorkspaceLifecycleProviderOptions) {
    super('initializing', options);
  }
}

/**
 * Engages workspaces of a WorkspaceType with `spec.terminator: true` while they are being deleted and wait
 * for its terminator. Clean up, then call {@link removeTerminator} with `cluster.client`; kcp then deletes
 * the workspace and the provider disengages it. kcp v0.30's terminating virtual workspace serves only
 * LogicalClusters (newer ones also proxy the workspace's content), so clean up other objects with a client
 * of your own for the workspace (`/clusters/<logical cluster name>` on the shard).
 */
export class TerminatingWorkspacesProvider extends WorkspaceLifecycleProvider {
  constructor(options: WorkspaceLifecycleProviderOptions) {
    super('terminating', options);
  }
}
