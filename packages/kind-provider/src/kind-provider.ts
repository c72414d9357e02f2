import { createHash } from 'node:crypto';
import {
  type Aware,
  Backoff,
  type BackoffOptions,
  Client,
  CoalescedRun,
  type Cluster,
  type ClusterName,
  ClusterNotFoundError,
  ClusterSet,
  type CredentialsOptions,
  describeCause,
  type IndexExtractor,
  type InformerOptions,
  type KubeObject,
  type Logger,
  type Provider,
  type ResourceDescriptor,
  type RestClientOptions,
  redact,
  silentLogger,
  untilAborted,
} from '@kubeloom/core';
import { probeApiServer } from './api-server-probe.ts';
import { kindKubeconfig, listKindClusters } from './kind-cli.ts';

/** Options for {@link KindProvider}. */
export interface KindProviderOptions {
  /** The kind executable: a path, or a name looked up on PATH. Default `$KIND_BIN`, else `kind` on PATH. */
  kindBinary?: string;
  /**
   * Use `kind get kubeconfig --internal`: the API servers' addresses on the kind docker network, for a
   * manager that runs in a container on that network. Default false (the host's `127.0.0.1` ports).
   */
  internalKubeconfig?: boolean;
  /** Only clusters whose name starts with this are engaged (e.g. `fleet-`). Default: every kind cluster. */
  prefix?: string;
  /** How often kind is asked for its clusters and their kubeconfigs. Default 2 s. */
  intervalMs?: number;
  /** How long one kind command may take before it is killed. Default 30 s. */
  kindTimeoutMs?: number;
  /** How long a new cluster's API server has to answer its first `GET /version`. Default 10 s. */
  probeTimeoutMs?: number;
  /**
   * Backoff between attempts to reach a cluster whose API server does not answer (the attempt is made at
   * the first discovery round after the delay). Default 1 s doubling to 60 s.
   */
  unreachableBackoff?: BackoffOptions;
  /** Where discovery, engagement and problems are logged (bound to `provider: kind`). Default silent. */
  logger?: Logger;
  /** Options for every informer of every kind cluster. */
  informerOptions?: InformerOptions;
  /** Options for the clients built from the kubeconfigs (timeouts, retries, connection pool). */
  clientOptions?: Omit<RestClientOptions, 'credentials' | 'server'> & CredentialsOptions;
}

/** What the provider knows about one kind cluster it has seen. */
interface KnownCluster {
  /** sha256 of the kubeconfig kind printed: a recreated cluster has a new CA, certificates and often port. */
  readonly fingerprint: string;
  /** The client for this kubeconfig; undefined when the kubeconfig cannot be used. */
  readonly client: Client | undefined;
  /** Server URL of the kubeconfig, for messages (never a credential). */
  readonly server: string;
  /** Aborted when the cluster vanishes, its kubeconfig changes or the provider stops: cancels a probe. */
  readonly attempt: AbortController;
  readonly backoff: Backoff;
  engaged: boolean;
  /** Why it is not engaged (unusable kubeconfig, unreachable API server); undefined once engaged. */
  problem: string | undefined;
  /** No new reachability probe before this time (epoch ms). */
  nextProbeAt: number;
  probing: Promise<void> | undefined;
}

/**
 * kind clusters as kubeloom clusters. Every `intervalMs` (and on {@link KindProvider.refresh}) it runs
 * `kind get clusters` and `kind get kubeconfig --name <name>` for each cluster (optionally only names with
 * a prefix), and:
 * - engages a new cluster, with informers and a client of its own, once its API server answers;
 * - disengages a cluster that kind no longer lists: its informers stop, its watches and connections close;
 * - re-engages a cluster whose kubeconfig changed (deleted and recreated under the same name);
 * - reports a cluster whose API server does not answer once per problem and retries it with backoff,
 *   without holding up the others.
 *
 * If kind itself fails (not installed, docker not running), the clusters stay as they are, the failure is
 * logged once and {@link KindProvider.notReadyReason} returns it until kind answers again.
 */
export class KindProvider implements Provider {
  readonly #options: KindProviderOptions;
  readonly #prefix: string;
  readonly #intervalMs: number;
  readonly #probeTimeoutMs: number;
  readonly #logger: Logger;
  readonly #clusters: ClusterSet;
  readonly #known = new Map<ClusterName, KnownCluster>();
  /** The last problem logged per subject (`kind`, or a cluster name), so each is logged once. */
  readonly #reported = new Map<string, string>();
  readonly #ready = Promise.withResolvers<void>();
  #kindProblem: string | undefined;
  /** Set once `kind get clusters` answered: {@link KindProvider.ready} waits for that. */
  #listedOnce = false;
  readonly #discovery = new CoalescedRun(() => this.#discover(), {
    onError: (error) =>
      this.#logger.error({ err: error }, 'discovering kind clusters failed; retrying at the next round'),
    stopped: () => this.#signal?.aborted ?? false,
  });
  #signal: AbortSignal | undefined;

  constructor(options: KindProviderOptions = {}) {
    this.#options = options;
    this.#prefix = options.prefix ?? '';
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 10_000;
    this.#logger = (options.logger ?? silentLogger).child({ provider: 'kind' });
    this.#clusters = new ClusterSet({
      logger: this.#logger,
      ...(options.informerOptions ? { informerOptions: options.informerOptions } : {}),
    });
  }

  /**
   * Resolves after the first discovery round in which kind answered: every cluster listed then has been
   * engaged, or found unreachable (that one is engaged later, when it answers). Pending while kind fails.
   */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Why kind cannot be asked for clusters (the last `kind` failure), or `undefined` while it answers. */
  notReadyReason(): string | undefined {
    return this.#kindProblem;
  }

  /** Names of the engaged clusters, sorted. */
  names(): ClusterName[] {
    return this.#clusters.names();
  }

  /**
   * The engaged cluster of that name. Throws {@link ClusterNotFoundError} otherwise; for a cluster kind
   * lists but that is not engaged, the error says why (e.g. its API server does not answer).
   */
  get(name: ClusterName): Promise<Cluster> {
    if (this.#clusters.has(name)) return this.#clusters.lookup(name);
    const known = this.#known.get(name);
    const detail = known
      ? (known.problem ?? 'its API server has not answered yet')
      : this.#prefix && !name.startsWith(this.#prefix)
        ? `only kind clusters whose name starts with "${this.#prefix}" are engaged`
        : '';
    return Promise.reject(new ClusterNotFoundError(name, detail));
  }

  /** Adds a field index to the informers of `resource` in every current and future kind cluster. */
  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    this.#clusters.indexField(resource, name, extract);
  }

  /**
   * Discovers kind clusters every `intervalMs` and engages them into `aware` until `signal` aborts; then
   * disengages every cluster and stops asking kind. Called by the manager; a provider starts once.
   */
  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    if (this.#signal) throw new Error('a KindProvider can be started once');
    this.#signal = signal;
    this.#clusters.start(aware, signal);
    const interval = setInterval(() => void this.refresh(), this.#intervalMs);
    try {
      await this.refresh();
      await untilAborted(signal);
    } finally {
      clearInterval(interval);
      for (const name of this.#known.keys()) this.#forget(name);
    }
  }

  /**
   * Asks kind now and engages, re-engages or disengages clusters to match; resolves once every cluster
   * that is not engaged has been tried (engaged, or found unreachable or unusable). Concurrent calls share
   * one round, plus at most one more if a call arrived during it. Never rejects.
   */
  async refresh(): Promise<void> {
    await this.#discovery.run();
    await Promise.all([...this.#known.values()].flatMap((known) => (known.probing ? [known.probing] : [])));
    if (this.#listedOnce) this.#ready.resolve();
  }

  /** One discovery round: lists, forgets vanished clusters, reads kubeconfigs and starts due probes. */
  async #discover(): Promise<void> {
    const signal = this.#signal;
    if (!signal || signal.aborted) return;
    const kindOptions = {
      signal,
      ...(this.#options.kindBinary ? { kindBinary: this.#options.kindBinary } : {}),
      ...(this.#options.kindTimeoutMs ? { timeoutMs: this.#options.kindTimeoutMs } : {}),
    };
    let names: string[];
    try {
      names = (await listKindClusters(kindOptions)).filter((n) => n.startsWith(this.#prefix));
    } catch (error) {
      if (signal.aborted) return;
      this.#kindProblem = `cannot list kind clusters: ${errorText(error)}`;
      this.#report(undefined, this.#kindProblem, 'error');
      return;
    }
    this.#listedOnce = true;
    if (this.#kindProblem) {
      this.#kindProblem = undefined;
      this.#resolved(undefined, 'kind answers again');
    }
    const listed = new Set(names);
    for (const name of this.#known.keys()) {
      if (listed.has(name)) continue;
      const wasEngaged = this.#known.get(name)?.engaged ?? false;
      this.#forget(name);
      this.#logger.info(
        { cluster: name },
        wasEngaged ? 'kind cluster deleted: disengaged' : 'kind cluster deleted before it was engaged',
      );
    }
    const kubeconfigs = await Promise.all(
      names.map(async (name) => {
        try {
          const internal = this.#options.internalKubeconfig ?? false;
          const text = await kindKubeconfig(name, { ...kindOptions, internal });
          // Readable again: the same failure later is news again.
          this.#reported.delete(reportKey(name, 'kubeconfig'));
          return { name, text };
        } catch (error) {
          if (!signal.aborted)
            this.#report(
              name,
              `cannot read the kubeconfig of kind cluster "${name}" (keeping it as it is): ${errorText(error)}`,
              'warn',
              'kubeconfig',
            );
          return undefined;
        }
      }),
    );
    if (signal.aborted) return;
    for (const entry of kubeconfigs) {
      // A cluster deleted while its kubeconfig was read is handled by the next round.
      if (!entry || !listed.has(entry.name)) continue;
      const known = this.#update(entry.name, entry.text);
      if (!known || known.engaged || known.probing || !known.client) continue;
      if (Date.now() < known.nextProbeAt) continue;
      const probing = this.#probe(entry.name, known, known.client).finally(() => {
        if (known.probing === probing) known.probing = undefined;
      });
      known.probing = probing;
    }
  }

  /**
   * Records the kubeconfig kind printed for `name`: the known state when unchanged, or a fresh state (the
   * previous engagement, if any, ended) when the cluster is new or was recreated.
   */
  #update(name: ClusterName, text: string): KnownCluster | undefined {
    const fingerprint = createHash('sha256').update(text).digest('hex');
    const previous = this.#known.get(name);
    if (previous?.fingerprint === fingerprint) return previous;
    if (previous) {
      this.#forget(name);
      this.#logger.info(
        { cluster: name },
        'the kubeconfig of kind cluster changed (recreated?): re-engaging it',
      );
    }
    let client: Client | undefined;
    let server = '';
    let problem: string | undefined;
    try {
      client = Client.fromKubeConfig({ text }, this.#options.clientOptions ?? {});
      server = client.rest.server;
    } catch (error) {
      problem = `the kubeconfig of kind cluster "${name}" (from \`kind get kubeconfig --name ${name}\`) cannot be used: ${firstLine(redact(describeCause(error)))}; it is retried when kind prints a different one`;
      this.#report(name, problem, 'error');
    }
    const known: KnownCluster = {
      fingerprint,
      client,
      server,
      attempt: new AbortController(),
      backoff: new Backoff({ initialMs: 1000, maxMs: 60_000, ...this.#options.unreachableBackoff }),
      engaged: false,
      problem,
      nextProbeAt: 0,
      probing: undefined,
    };
    this.#known.set(name, known);
    return known;
  }

  /** Engages `known` once its API server answers; otherwise reports it and schedules the next attempt. */
  async #probe(name: ClusterName, known: KnownCluster, client: Client): Promise<void> {
    try {
      const unreachable = await probeApiServer(client, {
        timeoutMs: this.#probeTimeoutMs,
        signal: known.attempt.signal,
      });
      if (known.attempt.signal.aborted || this.#known.get(name) !== known) return;
      if (unreachable) {
        known.problem = `the API server of kind cluster "${name}" (${known.server}) does not answer: ${unreachable}`;
        known.nextProbeAt = Date.now() + known.backoff.next();
        this.#report(name, `${known.problem}; retrying with backoff`, 'warn');
        return;
      }
      known.problem = undefined;
      known.engaged = true;
      this.#clusters.add(name, client, { ownsClient: true });
      this.#resolved(name, 'kind cluster engaged', { server: known.server });
    } catch (error) {
      if (!known.attempt.signal.aborted)
        this.#logger.error({ err: error, cluster: name }, 'engaging a kind cluster failed');
    }
  }

  /** Ends everything of a cluster: its engagement (informers, watches, connections) or its pending attempt. */
  #forget(name: ClusterName): void {
    const known = this.#known.get(name);
    if (!known) return;
    this.#known.delete(name);
    this.#reported.delete(reportKey(name, 'engagement'));
    this.#reported.delete(reportKey(name, 'kubeconfig'));
    known.attempt.abort(new Error(`kind cluster "${name}" is gone or changed`));
    if (this.#clusters.remove(name)) return;
    // Never engaged: the set does not own the client yet, so close its connections here.
    known.client?.rest.pool.close().catch((error: unknown) => {
      this.#logger.debug({ err: error, cluster: name }, 'closing the connections of a kind cluster failed');
    });
  }

  /**
   * Logs `problem` unless it is the problem last logged about the same subject: kind itself (`cluster`
   * undefined), a cluster's kubeconfig (`aspect` `kubeconfig`) or a cluster's engagement.
   */
  #report(
    cluster: ClusterName | undefined,
    problem: string,
    level: 'warn' | 'error',
    aspect: 'kubeconfig' | 'engagement' = 'engagement',
  ): void {
    const key = reportKey(cluster, aspect);
    if (this.#reported.get(key) === problem) return;
    this.#reported.set(key, problem);
    this.#logger[level](cluster === undefined ? {} : { cluster }, problem);
  }

  /** Logs at info that kind (or a cluster) is fine now, mentioning the problem it had, if any. */
  #resolved(cluster: ClusterName | undefined, message: string, fields: Record<string, unknown> = {}): void {
    const key = reportKey(cluster, 'engagement');
    const problem = this.#reported.get(key);
    this.#reported.delete(key);
    this.#logger.info(
      {
        ...fields,
        ...(cluster === undefined ? {} : { cluster }),
        ...(problem ? { resolvedProblem: problem } : {}),
      },
      message,
    );
  }
}

/** Key of {@link KindProvider}'s once-per-problem log (a cluster may be named `kind`, kind's default). */
function reportKey(cluster: ClusterName | undefined, aspect: 'kubeconfig' | 'engagement'): string {
  return cluster === undefined ? 'kind' : `${aspect} of cluster ${cluster}`;
}

/** The message of a KindCliError (complete on its own) or of anything else. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A YAML parse error quotes the offending lines (which may hold credentials); its first line says enough. */
function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
