import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, parse } from 'node:path';
import type { InformerOptions } from '../cache/shared-informer.ts';
import { Client } from '../client/client.ts';
import type { CredentialsOptions } from '../client/credentials.ts';
import { describeCause } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';
import { ParsedKubeConfig } from '../client/parsed-kube-config.ts';
import type { ResourceDescriptor } from '../client/resource.ts';
import type { RestClientOptions } from '../client/rest-client.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { CoalescedRun } from '../util/coalesced-run.ts';
import type { Aware, Cluster, ClusterName, IndexExtractor, Provider } from './cluster.ts';
import { ClusterSet } from './cluster-set.ts';
import { untilAborted } from './static-provider.ts';

/** Options for {@link KubeconfigFilesProvider}. */
export interface KubeconfigFilesProviderOptions {
  /** The directory to watch; every visible regular file in it (symlinks followed) is read as a kubeconfig. */
  directory: string;
  /**
   * Full rescan interval, the fallback for file systems where `fs.watch` misses events (network mounts,
   * some container runtimes). Default 30 s.
   */
  rescanIntervalMs?: number;
  /** Quiet time after a change event before rescanning, so a file written in several chunks is read once. Default 100 ms. */
  debounceMs?: number;
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
  /** Options for the informers of every cluster it engages (resync, timeouts). */
  informerOptions?: InformerOptions;
  /** Options for the clients built from the kubeconfigs (timeouts, retries, credential refresh). */
  clientOptions?: Omit<RestClientOptions, 'credentials' | 'server'> & CredentialsOptions;
}

/** What the provider knows about one file. */
interface FileState {
  /** sha256 of the content last read (valid or not), so an unchanged file is not parsed again. */
  hash: string;
  /** Clusters the file yields. */
  clusters: Map<ClusterName, ContextEntry>;
}

/** One context of a kubeconfig file. */
interface ContextEntry {
  readonly context: string;
  /** Hash of the context with the cluster and user entries it names. */
  readonly fingerprint: string;
}

/**
 * One cluster per context of each kubeconfig file in a directory: `<file stem>` when the file has one
 * context, `<file stem>/<context>` when it has several (`prod.yaml` with contexts `eu` and `us` gives
 * `prod/eu` and `prod/us`). Mount a Secret with kubeconfigs as a volume and clusters come and go with it.
 *
 * The directory is watched with `fs.watch` and rescanned periodically as a fallback. A cluster whose
 * context, cluster or user entry changed is re-engaged (disengaged, then engaged with a new client);
 * clusters of a removed file are disengaged. A file that cannot be parsed is logged once per content and
 * does not take its clusters away: a half-written file keeps the last good version running until it is
 * fixed or deleted.
 */
export class KubeconfigFilesProvider implements Provider {
  readonly #directory: string;
  readonly #rescanMs: number;
  readonly #debounceMs: number;
  readonly #logger: Logger;
  readonly #clientOptions: KubeconfigFilesProviderOptions['clientOptions'];
  readonly #clusters: ClusterSet;
  readonly #files = new Map<string, FileState>();
  /** Fingerprints of the engaged clusters, to detect changed contexts. */
  readonly #engaged = new Map<ClusterName, string>();
  /** Fingerprints that failed to make a client, so the same error is logged once, not on every rescan. */
  readonly #failed = new Map<ClusterName, string>();
  readonly #ready = Promise.withResolvers<void>();
  readonly #rescan = new CoalescedRun(() => this.#scan(), {
    onError: (error) =>
      this.#logger.error(
        { err: error },
        'scanning the kubeconfig directory failed; retrying at the next rescan',
      ),
    stopped: () => this.#signal?.aborted ?? false,
  });
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #signal: AbortSignal | undefined;

  constructor(options: KubeconfigFilesProviderOptions) {
    this.#directory = options.directory;
    this.#rescanMs = options.rescanIntervalMs ?? 30_000;
    this.#debounceMs = options.debounceMs ?? 100;
    this.#logger = (options.logger ?? silentLogger).child({
      provider: 'kubeconfig-files',
      directory: options.directory,
    });
    this.#clientOptions = options.clientOptions;
    this.#clusters = new ClusterSet({
      logger: this.#logger,
      ...(options.informerOptions ? { informerOptions: options.informerOptions } : {}),
    });
  }

  /** Resolves after the first scan: every cluster in the directory at start has been handed to the manager. */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Names of the clusters found, sorted. */
  names(): ClusterName[] {
    return this.#clusters.names();
  }

  get(name: ClusterName): Promise<Cluster> {
    return this.#clusters.lookup(name);
  }

  async indexField<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    extract: IndexExtractor<T>,
  ): Promise<void> {
    this.#clusters.indexField(resource, name, extract);
  }

  async start(aware: Aware, signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#clusters.start(aware, signal);
    const interval = setInterval(() => void this.rescan(), this.#rescanMs);
    interval.unref();
    try {
      await this.rescan();
      this.#ready.resolve();
      await untilAborted(signal);
    } finally {
      clearInterval(interval);
      clearTimeout(this.#debounce);
      this.#watcher?.close();
      this.#watcher = undefined;
    }
  }

  /**
   * Reads the directory now and engages, re-engages or disengages clusters to match it. Concurrent calls
   * share one scan, plus at most one more if a change arrived during it. Never rejects.
   */
  rescan(): Promise<void> {
    return this.#rescan.run();
  }

  async #scan(): Promise<void> {
    if (this.#signal?.aborted) return;
    this.#ensureWatch();
    let names: string[];
    try {
      names = (await readdir(this.#directory))
        .filter((n) => !n.startsWith('.') && !n.endsWith('~'))
        .toSorted();
    } catch (error) {
      this.#logger.warn(
        { err: error },
        `cannot read kubeconfig directory ${this.#directory}: ${describeCause(error)}; no clusters until it exists`,
      );
      names = [];
    }
    const wanted = new Map<ClusterName, ContextEntry & { file: string; text: string }>();
    const seenFiles = new Set<string>();
    for (const file of names) {
      const read = await this.#readFile(file);
      if (!read) continue;
      const { clusters, text } = read;
      seenFiles.add(file);
      for (const [name, entry] of clusters) {
        const other = wanted.get(name);
        if (other) {
          this.#logger.warn(
            { cluster: name, file, other: other.file },
            `kubeconfig files ${other.file} and ${file} both yield cluster "${name}"; ignoring it in ${file} (rename one of them)`,
          );
          continue;
        }
        wanted.set(name, { ...entry, file, text });
      }
    }
    for (const file of this.#files.keys()) if (!seenFiles.has(file)) this.#files.delete(file);
    if (this.#signal?.aborted) return;
    for (const name of this.#clusters.names()) {
      if (!wanted.has(name)) {
        this.#clusters.remove(name);
        this.#engaged.delete(name);
        this.#failed.delete(name);
        this.#logger.info({ cluster: name }, 'kubeconfig gone: cluster disengaged');
      }
    }
    for (const name of this.#failed.keys()) if (!wanted.has(name)) this.#failed.delete(name);
    for (const [name, { file, fingerprint, context, text }] of wanted) {
      if (this.#engaged.get(name) === fingerprint && this.#clusters.has(name)) continue;
      if (this.#failed.get(name) === fingerprint) continue;
      try {
        const client = Client.fromKubeConfig({ text, context }, this.#clientOptions ?? {});
        const replaced = this.#clusters.has(name);
        this.#clusters.add(name, client, { ownsClient: true });
        this.#engaged.set(name, fingerprint);
        this.#failed.delete(name);
        this.#logger.info(
          { cluster: name, file },
          replaced ? 'kubeconfig changed: cluster re-engaged' : 'cluster found',
        );
      } catch (error) {
        this.#failed.set(name, fingerprint);
        this.#logger.error(
          { err: error, cluster: name, file },
          `kubeconfig ${join(this.#directory, file)}, context "${context}" cannot be used: ${describeCause(error)}`,
        );
      }
    }
  }

  /**
   * The clusters a file yields and its text, or undefined if it is not (or no longer) a regular file. An
   * invalid file keeps the clusters of its last good version.
   */
  async #readFile(
    file: string,
  ): Promise<{ clusters: Map<ClusterName, ContextEntry>; text: string } | undefined> {
    const path = join(this.#directory, file);
    let text: string;
    try {
      if (!(await stat(path)).isFile()) return undefined;
      text = await readFile(path, 'utf8');
    } catch (error) {
      // Deleted between readdir and read: gone. Unreadable (permissions): keep what it gave before.
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      const known = this.#files.get(file);
      if (known)
        this.#logger.warn(
          { err: error, file },
          `cannot read kubeconfig ${path}; keeping its clusters for now`,
        );
      return known ? { clusters: known.clusters, text: '' } : undefined;
    }
    const hash = createHash('sha256').update(text).digest('hex');
    const known = this.#files.get(file);
    if (known?.hash === hash) return { clusters: known.clusters, text };
    const stem = parse(file).name;
    try {
      const clusters = parseContexts(stem, text);
      this.#files.set(file, { hash, clusters });
      return { clusters, text };
    } catch (error) {
      const clusters = known?.clusters ?? new Map<ClusterName, ContextEntry>();
      this.#files.set(file, { hash, clusters });
      this.#logger.error(
        { err: error, file },
        `kubeconfig ${path} is not valid (${describeCause(error)}); ${clusters.size > 0 ? 'keeping the clusters of its last valid version' : 'ignoring it'} until it is fixed`,
      );
      return { clusters, text };
    }
  }

  #ensureWatch(): void {
    if (this.#watcher || this.#signal?.aborted) return;
    try {
      const watcher = watch(this.#directory, { persistent: false });
      watcher.on('change', () => this.#scheduleRescan());
      watcher.on('error', (error) => {
        this.#logger.warn(
          { err: error },
          'watching the kubeconfig directory failed; relying on periodic rescans until it works again',
        );
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
      });
      this.#watcher = watcher;
    } catch {
      // The directory does not exist (yet); the periodic rescan tries again.
    }
  }

  #scheduleRescan(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.rescan(), this.#debounceMs);
  }
}

/**
 * Cluster names and fingerprints of a kubeconfig's contexts. A fingerprint hashes the context together
 * with the cluster and user it names, so editing one context re-engages only that cluster, and no
 * credential is kept in memory in clear beyond the client itself.
 */
function parseContexts(stem: string, text: string): Map<ClusterName, ContextEntry> {
  if (!text.trim()) throw new Error('the file is empty');
  const kc = new ParsedKubeConfig();
  kc.loadFromString(text);
  const contexts = kc.getContexts();
  if (contexts.length === 0) throw new Error('it has no contexts');
  const out = new Map<ClusterName, ContextEntry>();
  for (const context of contexts) {
    const name = contexts.length === 1 ? stem : `${stem}/${context.name}`;
    const material = JSON.stringify([context, kc.getCluster(context.cluster), kc.getUser(context.user)]);
    out.set(name, {
      context: context.name,
      fingerprint: createHash('sha256').update(material).digest('hex'),
    });
  }
  return out;
}
