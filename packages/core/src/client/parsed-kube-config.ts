import { accessSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
// Only the kubeconfig entry parsers: `@kubernetes/client-node`'s index (and its config.js) load every
// generated API class, openid-client, ws, socks and more, ~0.4 s and ~80 MiB that a client never uses.
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';

/** Where an in-cluster pod finds its service account (as client-go and client-node read it). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A kubeconfig as kubeloom reads it: either client-node's full `KubeConfig` or a {@link ParsedKubeConfig}. */
export type KubeConfigLike = KubeConfig | ParsedKubeConfig;

/**
 * A kubeconfig read the way client-node's `KubeConfig` reads it (same YAML parser, same entry parsing,
 * same `$KUBECONFIG` → `~/.kube/config` → in-cluster → `http://localhost:8080` order, same relative-path
 * handling), with the same accessors, but without loading client-node's authenticators and API classes.
 * Credentials that need those (an `auth-provider` such as oidc, azure or gcp) load client-node lazily,
 * from {@link ParsedKubeConfig.toClientNode}.
 */
export class ParsedKubeConfig {
  /** The `clusters` entries: server URL and CA of each. */
  clusters: Cluster[] = [];
  /** The `users` entries: token, client certificate, exec plugin or auth provider of each. */
  users: User[] = [];
  /** The `contexts` entries: which user talks to which cluster (and default namespace). */
  contexts: Context[] = [];
  /** The context used unless another is asked for. */
  currentContext = '';
  #clientNode: KubeConfig | undefined;

  /** All contexts. */
  getContexts(): Context[] {
    return this.contexts;
  }
  /** All clusters. */
  getClusters(): Cluster[] {
    return this.clusters;
  }
  /** All users. */
  getUsers(): User[] {
    return this.users;
  }
  /** Name of the current context. */
  getCurrentContext(): string {
    return this.currentContext;
  }
  /** Makes `context` the current one. */
  setCurrentContext(context: string): void {
    this.currentContext = context;
  }
  /** The context named `name`, or null. */
  getContextObject(name: string): Context | null {
    return this.contexts.find((c) => c.name === name) ?? null;
  }
  /** The cluster named `name`, or null. */
  getCluster(name: string): Cluster | null {
    return this.clusters.find((c) => c.name === name) ?? null;
  }
  /** The user named `name`, or null. */
  getUser(name: string): User | null {
    return this.users.find((u) => u.name === name) ?? null;
  }
  /** The current context's cluster, or null. */
  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.currentContext);
    return context ? this.getCluster(context.cluster) : null;
  }
  /** The current context's user, or null. */
  getCurrentUser(): User | null {
    const context = this.getContextObject(this.currentContext);
    return context ? this.getUser(context.user) : null;
  }

  /** Reads kubeconfig YAML or JSON text. Throws the YAML parser's or entry parser's error as is. */
  loadFromString(text: string): void {
    const document = parseKubeconfigText(text);
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new Error('it is empty or not a YAML/JSON mapping');
    }
    const obj = document as Record<string, unknown>;
    this.clusters = newClusters(obj.clusters);
    this.contexts = newContexts(obj.contexts);
    this.users = newUsers(obj.users);
    this.currentContext = typeof obj['current-context'] === 'string' ? obj['current-context'] : '';
    this.#clientNode = undefined;
  }

  /** Reads a kubeconfig file; relative certificate and key paths are taken relative to its directory. */
  loadFromFile(file: string): void {
    this.loadFromString(readFileSync(file, 'utf8'));
    const root = dirname(file);
    const absolute = (p: string): string => (isAbsolute(p) ? p : join(root, p));
    for (const cluster of this.clusters) if (cluster.caFile) cluster.caFile = absolute(cluster.caFile);
    for (const user of this.users) {
      if (user.certFile) user.certFile = absolute(user.certFile);
      if (user.keyFile) user.keyFile = absolute(user.keyFile);
    }
  }

  /**
   * `$KUBECONFIG` (files merged, later ones' current-context winning, duplicate names refused), else
   * `~/.kube/config`, else the pod's service account, else `http://localhost:8080`: client-node's order.
   */
  loadFromDefault(): void {
    const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f);
    if (files.length > 0) {
      this.loadFromFile(files[0] as string);
      for (const file of files.slice(1)) {
        const next = new ParsedKubeConfig();
        next.loadFromFile(file);
        this.#merge(next);
      }
      return;
    }
    const home = process.env.HOME;
    if (home && readable(join(home, '.kube', 'config'))) {
      this.loadFromFile(join(home, '.kube', 'config'));
      return;
    }
    if (readable(`${SERVICE_ACCOUNT_DIR}/token`)) {
      this.loadFromCluster();
      return;
    }
    this.clusters = [{ name: 'cluster', server: 'http://localhost:8080', skipTLSVerify: false }];
    this.users = [{ name: 'user' }];
    this.contexts = [{ name: 'loaded-context', cluster: 'cluster', user: 'user' }];
    this.currentContext = 'loaded-context';
  }

  /** The pod's service account: `$KUBERNETES_SERVICE_HOST:PORT`, its CA and its (re-read) token file. */
  loadFromCluster(): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '';
    const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
    const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    const namespaceFile = `${SERVICE_ACCOUNT_DIR}/namespace`;
    const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8') : undefined;
    this.clusters = [
      { name: 'inCluster', server, caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt`, skipTLSVerify: false },
    ];
    this.users = [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: `${SERVICE_ACCOUNT_DIR}/token` } },
      },
    ];
    this.contexts = [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        ...(namespace !== undefined ? { namespace } : {}),
      },
    ];
    this.currentContext = 'inClusterContext';
  }

  /**
   * client-node's `KubeConfig` with the same entries, loaded on first use (and then reused, since its
   * authenticators cache tokens per instance). Only auth providers need it.
   */
  async toClientNode(): Promise<KubeConfig> {
    if (!this.#clientNode) {
      const { KubeConfig: FullKubeConfig } = await import('@kubernetes/client-node');
      const kc = new FullKubeConfig();
      kc.loadFromOptions({
        clusters: this.clusters,
        users: this.users,
        contexts: this.contexts,
        currentContext: this.currentContext,
      });
      this.#clientNode = kc;
    }
    return this.#clientNode;
  }

  #merge(other: ParsedKubeConfig): void {
    if (other.currentContext) this.currentContext = other.currentContext;
    addUnique(this.clusters, other.clusters, 'cluster');
    addUnique(this.users, other.users, 'user');
    addUnique(this.contexts, other.contexts, 'context');
  }
}

/** Appends `from` to `into`, refusing a name that is already there (client-node's rule and words). */
function addUnique<T extends { name: string }>(into: T[], from: T[], what: string): void {
  for (const entry of from) {
    if (into.some((e) => e.name === entry.name)) throw new Error(`Duplicate ${what}: ${entry.name}`);
    into.push(entry);
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}

let yamlLoad: ((text: string) => unknown) | undefined;

/**
 * Kubeconfig text as a document. Kubeconfigs written by programs are often JSON (client-node's
 * `exportConfig`, kubeloom's test environments), which `JSON.parse` reads without loading a YAML parser
 * (js-yaml is ~270 KiB of source kept in memory for the life of the process, and ~10 ms to load). JSON is
 * YAML, so anything `JSON.parse` rejects goes to the YAML parser, whose error is the one reported.
 */
function parseKubeconfigText(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all (YAML flow style, or broken): the YAML parser decides and words the error.
    }
  }
  return loadYaml()(text);
}

/**
 * client-node's own YAML parser (js-yaml, a dependency of client-node resolved from there), so a
 * kubeconfig parses, and fails to parse with the same words, exactly as client-node would.
 */
function loadYaml(): (text: string) => unknown {
  if (!yamlLoad) {
    const local = createRequire(import.meta.url);
    const fromClientNode = createRequire(local.resolve('@kubernetes/client-node/package.json'));
    yamlLoad = (fromClientNode('js-yaml') as { load: (text: string) => unknown }).load;
  }
  return yamlLoad;
}
