import { LRUCache } from 'lru-cache';
import type { Client } from './client.ts';
import { isNotFound } from './errors.ts';
import { type ResourceDescriptor, defineResource } from './resource.ts';

/** One resource as the API server's discovery documents describe it. */
export interface DiscoveredResource extends ResourceDescriptor {
  /** Verbs the server supports on it (`get`, `list`, `watch`, ...). */
  readonly verbs: readonly string[];
  /** Short names kubectl accepts, e.g. `cm` for configmaps; the mapper resolves them too. */
  readonly shortNames: readonly string[];
  /** Subresources, e.g. `status`, `scale`. */
  readonly subresources: readonly string[];
}

/** The server serves no resource matching a kind, plural or short name. */
export class NoMatchError extends Error {
  /** `NoMatchError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'NoMatchError';
}

/** Options for {@link RestMapper}. */
export interface RestMapperOptions {
  /** How long a discovery document is trusted before it is read again. Default 10 minutes. */
  ttlMs?: number;
  /** How many group-versions to keep. Default 500. */
  maxGroupVersions?: number;
}

interface ApiResourceList {
  resources?: Array<{
    name: string;
    kind: string;
    namespaced: boolean;
    verbs?: string[];
    shortNames?: string[];
  }>;
}

interface ApiGroupList {
  groups?: Array<{
    name: string;
    preferredVersion?: { version: string };
    versions?: Array<{ version: string }>;
  }>;
}

/**
 * Maps kinds to resources (and back) from the server's discovery documents — what a controller needs when
 * it handles objects whose resource it only knows by `apiVersion` and `kind` (owner references, objects
 * from a file, a syncagent's published resources).
 *
 * Documents are cached per group-version with lru-cache and read again after `ttlMs`; a lookup that misses
 * reads the documents once more before giving up, so a CRD (or an APIBinding) that appeared a moment ago is
 * found without waiting for the cache to expire. One mapper serves one base URL: for kcp, a workspace's
 * or a virtual workspace's (whose APIs differ from the shard's).
 */
export class RestMapper {
  readonly #client: Client;
  readonly #groupVersions: LRUCache<string, DiscoveredResource[]>;
  readonly #ttlMs: number;
  #groups: { at: number; list: ApiGroupList } | undefined;

  constructor(client: Client, options: RestMapperOptions = {}) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#groupVersions = new LRUCache({ max: options.maxGroupVersions ?? 500, ttl: this.#ttlMs });
  }

  /**
   * The resource for an `apiVersion` and `kind` (e.g. `apps/v1`, `Deployment`). Throws {@link NoMatchError}
   * if the server does not serve it, after refreshing its discovery once.
   */
  async resourceFor(apiVersion: string, kind: string): Promise<DiscoveredResource> {
    const found = (await this.resources(apiVersion)).find((r) => r.kind === kind);
    if (found) return found;
    const fresh = (await this.resources(apiVersion, { refresh: true })).find((r) => r.kind === kind);
    if (fresh) return fresh;
    throw new NoMatchError(
      `${this.#client.rest.server} serves no kind ${kind} in ${apiVersion}; install its CRD (or, in kcp, bind the APIExport that provides it) and try again`,
    );
  }

  /**
   * The resource a kubectl-style name refers to — plural, singular kind or short name, optionally with the
   * group (`deployments`, `deploy`, `widgets.example.io`) — in the group's preferred version.
   */
  async resourceForName(name: string): Promise<DiscoveredResource> {
    const dot = name.indexOf('.');
    const bare = (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
    const group = dot < 0 ? undefined : name.slice(dot + 1);
    for (const refresh of [false, true]) {
      for (const apiVersion of await this.preferredVersions({ refresh })) {
        const g = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
        if (group !== undefined && g !== group) continue;
        const match = (await this.resources(apiVersion, { refresh })).find(
          (r) => r.plural === bare || r.kind.toLowerCase() === bare || r.shortNames.includes(bare),
        );
        if (match) return match;
      }
    }
    throw new NoMatchError(`${this.#client.rest.server} serves no resource named "${name}"`);
  }

  /** The resources of one group-version (`v1`, `apps/v1`); empty if the server does not serve it. */
  async resources(apiVersion: string, options: { refresh?: boolean } = {}): Promise<DiscoveredResource[]> {
    if (!options.refresh) {
      const cached = this.#groupVersions.get(apiVersion);
      if (cached) return cached;
    }
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: ApiResourceList;
    try {
      list = await this.#client.rest.request<ApiResourceList>({ path });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      list = {};
    }
    const [group, version] = apiVersion.includes('/')
      ? (apiVersion.split('/') as [string, string])
      : ['', apiVersion];
    const all = list.resources ?? [];
    const resources = all
      .filter((r) => !r.name.includes('/'))
      .map((r) => {
        const descriptor = defineResource({
          group,
          version,
          kind: r.kind,
          plural: r.name,
          namespaced: r.namespaced,
        });
        return Object.freeze({
          ...descriptor,
          verbs: r.verbs ?? [],
          shortNames: r.shortNames ?? [],
          subresources: all
            .filter((s) => s.name.startsWith(`${r.name}/`))
            .map((s) => s.name.slice(r.name.length + 1)),
        });
      });
    this.#groupVersions.set(apiVersion, resources);
    return resources;
  }

  /** Every served group's preferred `apiVersion`, the core `v1` first. */
  async preferredVersions(options: { refresh?: boolean } = {}): Promise<string[]> {
    if (options.refresh || !this.#groups || Date.now() - this.#groups.at > this.#ttlMs) {
      this.#groups = {
        at: Date.now(),
        list: await this.#client.rest.request<ApiGroupList>({ path: '/apis' }),
      };
    }
    const named = (this.#groups.list.groups ?? []).map(
      (g) => `${g.name}/${g.preferredVersion?.version ?? g.versions?.[0]?.version ?? 'v1'}`,
    );
    return ['v1', ...named];
  }

  /** Forgets every cached document. */
  invalidate(): void {
    this.#groupVersions.clear();
    this.#groups = undefined;
  }
}
