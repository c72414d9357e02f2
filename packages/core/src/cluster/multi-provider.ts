import type { KubeObject } from '../client/object.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { LinkedAbortController } from '../util/linked-abort.ts';
import {
  type Aware,
  type Cluster,
  type ClusterName,
  ClusterNotFoundError,
  type IndexExtractor,
  type Provider,
} from './cluster.ts';
import { untilAborted } from './static-provider.ts';

/** Options for {@link MultiProvider}. */
export interface MultiProviderOptions {
  /** Between provider name and cluster name. Default `#` (multicluster-runtime's), which kcp and DNS names never contain. */
  separator?: string;
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
}

interface Member {
  readonly provider: Provider;
  /** Aborted by {@link MultiProvider.removeProvider}: stops the member and disengages its clusters. */
  readonly lifetime: AbortController;
}

interface RecordedIndex {
  readonly resource: ResourceDescriptor;
  readonly name: string;
  readonly extract: IndexExtractor;
}

/**
 * Several providers behind one, their clusters named `<provider>#<cluster>` so that names never collide
 * (two kcp APIExports, or kcp plus a compute cluster from a kubeconfig). Providers can be added and
 * removed while running; field indexes fan out to every member, including those added later.
 *
 * Clusters are passed through unchanged, so `cluster.name` is the name within its member provider while
 * the manager (and every Request) uses the prefixed name.
 */
export class MultiProvider implements Provider {
  /** Between a provider's prefix and its cluster names, e.g. `#` in `kind#dev`. */
  readonly separator: string;
  readonly #members = new Map<string, Member>();
  readonly #indexes: RecordedIndex[] = [];
  readonly #logger: Logger;
  #aware: Aware | undefined;
  #signal: AbortSignal | undefined;

  constructor(options: MultiProviderOptions = {}) {
    this.separator = options.separator ?? '#';
    if (!this.separator) throw new TypeError('MultiProvider: the separator must not be empty');
    this.#logger = (options.logger ?? silentLogger).child({ provider: 'multi' });
  }

  /** Resolves when every current member that reports readiness has engaged its initial clusters. */
  get ready(): Promise<void> {
    return Promise.all([...this.#members.values()].map((m) => m.provider.ready ?? Promise.resolve())).then(
      () => undefined,
    );
  }

  /** The reasons of every member that is not ready, each prefixed with its name; `undefined` when none. */
  notReadyReason(): string | undefined {
    const reasons = [...this.#members].flatMap(([name, member]) => {
      const reason = member.provider.notReadyReason?.();
      return reason ? [`${name}: ${reason}`] : [];
    });
    return reasons.length > 0 ? reasons.join('; ') : undefined;
  }

  /** Names of the member providers, sorted. */
  providerNames(): string[] {
    return [...this.#members.keys()].toSorted();
  }

  /**
   * Adds a member. Recorded field indexes are applied to it first; if the multi provider runs, the member is
   * started at once. Names must be unique and must not contain the separator.
   */
  async addProvider(name: string, provider: Provider): Promise<void> {
    if (!name || name.includes(this.separator)) {
      throw new TypeError(
        `MultiProvider: provider name "${name}" must be non-empty and must not contain "${this.separator}"`,
      );
    }
    if (this.#members.has(name))
      throw new Error(`MultiProvider: a provider named "${name}" was already added`);
    const member: Member = { provider, lifetime: new AbortController() };
    this.#members.set(name, member);
    for (const index of this.#indexes) await provider.indexField?.(index.resource, index.name, index.extract);
    if (this.#aware && this.#signal) this.#startMember(name, member, this.#aware, this.#signal);
  }

  /** Stops a member and disengages its clusters. False if there was none of that name. */
  removeProvider(name: string): boolean {
    const member = this.#members.get(name);
    if (!member) return false;
    this.#members.delete(name);
    member.lifetime.abort(new Error(`provider "${name}" was removed`));
    return true;
  }

  /** Routes `<provider>#<cluster>` to the member's `get`. */
  async get(name: ClusterName): Promise<Cluster> {
    const at = name.indexOf(this.separator);
    if (at < 0) throw new ClusterNotFoundError(name, `the name has no "${this.separator}" provider prefix`);
    const member = this.#members.get(name.slice(0, at));
    if (!member) throw new ClusterNotFoundError(name, `no provider named "${name.slice(0, at)}"`);
    return member.provider.get(name.slice(at + this.separator.length));
  }

  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    if (this.#aware) throw new Error('a MultiProvider can be started once');
    this.#aware = aware;
    this.#signal = signal;
    for (const [name, member] of this.#members) this.#startMember(name, member, aware, signal);
    await untilAborted(signal);
  }

  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    this.#indexes.push({ resource, name, extract: extract as IndexExtractor });
    await Promise.all(
      [...this.#members.values()].map(async (m) => m.provider.indexField?.(resource, name, extract)),
    );
  }

  #startMember(name: string, member: Member, aware: Aware, signal: AbortSignal): void {
    const { provider } = member;
    if (!provider.start) return;
    const memberSignal = new LinkedAbortController(signal, member.lifetime.signal).signal;
    const prefixed: Aware = {
      // Ends with the cluster's engagement or with the member, whichever comes first.
      engage: (cluster, instance, clusterSignal) =>
        aware.engage(
          `${name}${this.separator}${cluster}`,
          instance,
          new LinkedAbortController(clusterSignal, memberSignal).signal,
        ),
    };
    provider.start(prefixed, memberSignal).catch((error: unknown) => {
      if (memberSignal.aborted) return;
      this.#logger.error(
        { err: error, member: name },
        `provider "${name}" failed; its clusters stay as they are`,
      );
    });
  }
}
