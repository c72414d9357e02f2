import {
  type Aware,
  type Client,
  ClientEventRecorder,
  type Cluster,
  type ClusterCache,
  type ClusterName,
  type EventRecorder,
  LinkedAbortController,
  type Logger,
  type Provider,
} from '@kubeloom/core';
import type { Endpoint } from './endpoint.ts';

/**
 * What both kcp providers are to a manager: a {@link Provider} that discovers workspaces itself, says when
 * its initial set is engaged and why it cannot serve, and lists the workspaces it has engaged.
 */
export interface KcpWorkspaceProvider extends Provider {
  start(aware: Aware, signal: AbortSignal): Promise<void>;
  readonly ready: Promise<void>;
  notReadyReason(): string | undefined;
  /** Logical cluster names of the workspaces engaged now. */
  clusterNames(): ClusterName[];
}

/** The log fields that name a workspace: `cluster`, and `clusterPath` when known (people know paths). */
export type WorkspaceLogFields = {
  /** The logical cluster name. */
  cluster: ClusterName;
  /** The workspace path, e.g. `root:org:shop`, when known. */
  clusterPath?: string;
};

/** One engaged workspace: the Cluster handed to the manager, the endpoint (shard) serving it, and its signal. */
export interface EngagedWorkspace {
  /** What the manager was given: the workspace's client, cache and event recorder. */
  readonly cluster: Cluster;
  /** The virtual-workspace URL the workspace is served through. */
  readonly endpoint: Endpoint;
  /** Aborted when the workspace is disengaged or its endpoint stops; everything of the workspace ends with it. */
  readonly signal: AbortSignal;
  /** The fields its log lines carry. */
  readonly fields: WorkspaceLogFields;
}

/** How to engage one workspace, for {@link EngagedWorkspaces.engage}. */
export interface WorkspaceEngagementPlan {
  /** The endpoint that serves the workspace; its client is `<endpoint url>/clusters/<name>`. */
  readonly endpoint: Endpoint;
  /** The fields its log lines carry. */
  readonly fields: WorkspaceLogFields;
  /** The workspace's cache, given its client and the engagement's signal (per-workspace informers stop with it). */
  readonly cache: (client: Client, signal: AbortSignal) => ClusterCache;
  /** The log line, e.g. `engaging workspace`. */
  readonly message: string;
}

/**
 * The Cluster of an engaged workspace. Its event recorder is made on first use: most workspaces of a large
 * fleet never record an Event, and a recorder per workspace is memory held for nothing.
 */
class WorkspaceCluster implements Cluster {
  readonly name: ClusterName;
  readonly client: Client;
  readonly cache: ClusterCache;
  readonly #eventComponent: string;
  readonly #log: Logger;
  readonly #signal: AbortSignal;
  #events: EventRecorder | undefined;

  constructor(
    name: ClusterName,
    client: Client,
    cache: ClusterCache,
    recorder: { component: string; log: Logger; signal: AbortSignal },
  ) {
    this.name = name;
    this.client = client;
    this.cache = cache;
    this.#eventComponent = recorder.component;
    this.#log = recorder.log;
    this.#signal = recorder.signal;
  }

  get events(): EventRecorder {
    this.#events ??= new ClientEventRecorder(this.client, {
      component: this.#eventComponent,
      logger: this.#log,
      signal: this.#signal,
    });
    return this.#events;
  }
}

/**
 * One engagement: its abort controller (linked to the endpoint's signal) is also its entry in the
 * bookkeeping, and takes itself out of it however it ends — disengaged, or its endpoint stopped — without
 * an `abort` listener of its own.
 */
class Engagement extends LinkedAbortController {
  workspace!: EngagedWorkspace;
  /** The workspace's logger (bound to its log fields). */
  log!: Logger;
  readonly #onEnd: (engagement: Engagement) => void;

  constructor(endpointSignal: AbortSignal, onEnd: (engagement: Engagement) => void) {
    super(endpointSignal);
    this.#onEnd = onEnd;
  }

  override abort(reason?: unknown): void {
    const first = !this.signal.aborted;
    super.abort(reason);
    if (first) this.#onEnd(this);
  }
}

/**
 * The bookkeeping both kcp providers share: which workspaces are engaged, through which endpoint, and until
 * when. Engaging builds the workspace's Cluster — its client through the endpoint, its event recorder stopped
 * by the engagement's signal so no Event is written for a workspace that is gone — and hands it to the
 * manager on a later turn of the event loop: engagement is always decided inside a watch callback, and the
 * manager's work must never run there. A workspace is engaged at most once at a time.
 */
export class EngagedWorkspaces {
  readonly #log: Logger;
  readonly #eventComponent: string;
  readonly #engaged = new Map<ClusterName, Engagement>();
  /** Takes an ended engagement out of {@link #engaged} (one function for all, not a closure per workspace). */
  readonly #forget = (engagement: Engagement): void => {
    const { name } = engagement.workspace.cluster;
    if (this.#engaged.get(name) === engagement) this.#engaged.delete(name);
  };
  #aware: Aware | undefined;
  /** Engagements waiting to be handed to the manager on the next turn of the event loop. */
  #handOver: Engagement[] = [];

  /** @param eventComponent the `source.component` of recorded Events */
  constructor(log: Logger, eventComponent: string) {
    this.#log = log;
    this.#eventComponent = eventComponent;
  }

  /** Where engagements go; until it is set (the provider's `start`), nothing is handed to a manager. */
  attach(aware: Aware): void {
    this.#aware = aware;
  }

  /** Engages a workspace as `plan` says; returns `undefined` (and does nothing) if it is engaged already. */
  engage(name: ClusterName, plan: WorkspaceEngagementPlan): EngagedWorkspace | undefined {
    if (this.#engaged.has(name)) return undefined;
    const engagement = new Engagement(plan.endpoint.signal, this.#forget);
    const { signal } = engagement;
    const client = plan.endpoint.clusterClient(name);
    const log = this.#log.child(plan.fields);
    const cluster = new WorkspaceCluster(name, client, plan.cache(client, signal), {
      component: this.#eventComponent,
      log,
      signal,
    });
    const workspace: EngagedWorkspace = { cluster, endpoint: plan.endpoint, signal, fields: plan.fields };
    engagement.workspace = workspace;
    engagement.log = log;
    if (signal.aborted) return workspace;
    this.#engaged.set(name, engagement);
    log.info(plan.message);
    // One immediate for every workspace engaged in this turn (a watch's initial list engages thousands).
    if (this.#handOver.push(engagement) === 1) setImmediate(this.#handOverAll);
    return workspace;
  }

  readonly #handOverAll = (): void => {
    const engagements = this.#handOver;
    this.#handOver = [];
    const aware = this.#aware;
    if (!aware) return;
    for (const { signal, workspace, log } of engagements) {
      if (signal.aborted) continue;
      aware.engage(workspace.cluster.name, workspace.cluster, signal).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'engaging the workspace failed');
      });
    }
  };

  /**
   * Ends a workspace's engagement (its signal aborts), logging `message` with `reason` if given. Returns
   * whether it was engaged.
   */
  disengage(name: ClusterName, message: string, reason?: string): boolean {
    const entry = this.#engaged.get(name);
    if (!entry) return false;
    this.#log.info(
      reason === undefined ? entry.workspace.fields : { ...entry.workspace.fields, reason },
      message,
    );
    entry.abort();
    return true;
  }

  /** The engaged workspace of that logical cluster name. */
  get(name: ClusterName): EngagedWorkspace | undefined {
    return this.#engaged.get(name)?.workspace;
  }

  /** Logical cluster names of the engaged workspaces. */
  names(): ClusterName[] {
    return [...this.#engaged.keys()];
  }
}
