import { existsSync, readFileSync } from 'node:fs';
import { Client } from '../client/client.ts';
import { NamespaceResource } from '../client/builtins.ts';
import { waitFor } from '../util/wait-for.ts';
import { type CrdSource, installCrds } from './crd-install.ts';
import { type EnsureKubeBinariesOptions, type KubeBinaries, ensureKubeBinary } from './kube-binaries.ts';
import { KubeControlPlane } from './kube-control-plane.ts';

/** Environment variable naming the admin kubeconfig of a running cluster to attach to instead of starting one. */
export const EXISTING_KUBE_KUBECONFIG_ENV = 'KUBELOOM_KUBE_KUBECONFIG';

/** Options for {@link KubeTestEnvironment.start}. */
export interface KubeStartOptions {
  /** Names the cluster in its kubeconfig context, data directory and log lines. Default `kube-test`. */
  name?: string;
  /**
   * Also run kube-controller-manager, so namespace deletion, garbage collection of dependents and the
   * workload controllers behave as on a real cluster. Default true.
   */
  controllerManager?: boolean;
  /** Progress lines (installing binaries, starting, ready). Default: none. */
  log?: (line: string) => void;
  /** How long to wait until every component is ready. Default 60 s. */
  startTimeoutMs?: number;
  /** Binaries to use; the rest come from `ensureKubeBinaries()`' lookup. */
  binaries?: Partial<KubeBinaries>;
  /** Options for finding, downloading or building the binaries that `binaries` does not give. */
  install?: EnsureKubeBinariesOptions;
}

/** What another process (e.g. a vitest worker) needs to attach to a running test cluster. */
export interface KubeConnection {
  /** Admin kubeconfig of the cluster. */
  kubeconfigPath: string;
}

/**
 * A real Kubernetes API server for tests and demos: {@link KubeTestEnvironment.start} runs etcd,
 * kube-apiserver and (by default) kube-controller-manager on free loopback ports, each in a fresh
 * temporary directory, and returns once `/readyz` is ok. Several can run at once. There is no scheduler
 * and no kubelet: Pods are created (by a Deployment's ReplicaSet, say) but stay Pending.
 *
 * The admin identity is a static token in group `system:masters`; TLS is verified with the CA the
 * apiserver generated. {@link KubeTestEnvironment.stop} stops every process and removes the directory; if the test process
 * dies instead, the servers die with it (see `SupervisedProcess`).
 */
export class KubeTestEnvironment {
  /** Admin kubeconfig of the cluster. */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  readonly serverUrl: string;
  /** Admin client. */
  readonly client: Client;
  /** Milliseconds from spawning etcd until everything was ready; 0 when attached. */
  readonly startupMs: number;
  readonly #plane: KubeControlPlane | undefined;

  private constructor(kubeconfigPath: string, plane: KubeControlPlane | undefined) {
    this.kubeconfigPath = kubeconfigPath;
    this.#plane = plane;
    this.client = Client.fromKubeConfig({ path: kubeconfigPath });
    this.serverUrl = this.client.rest.server.replace(/\/+$/, '');
    this.startupMs = plane?.startupMs ?? 0;
  }

  /**
   * Starts a new cluster. Binaries not given in `options.binaries` are found (or downloaded, or built)
   * by `ensureKubeBinaries()`' lookup; kube-controller-manager only if it is wanted.
   */
  static async start(options: KubeStartOptions = {}): Promise<KubeTestEnvironment> {
    const log = options.log ?? (() => {});
    const controllerManager = options.controllerManager ?? true;
    const install = { log, ...options.install };
    const binaries: Partial<KubeBinaries> = { ...options.binaries };
    binaries.kubeApiserver ??= (await ensureKubeBinary('kube-apiserver', install)).path;
    binaries.etcd ??= (await ensureKubeBinary('etcd', install)).path;
    if (controllerManager) {
      binaries.kubeControllerManager ??= (await ensureKubeBinary('kube-controller-manager', install)).path;
    }
    const plane = await KubeControlPlane.start(binaries, {
      name: options.name ?? 'kube-test',
      controllerManager,
      log,
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    });
    return new KubeTestEnvironment(plane.kubeconfigPath, plane);
  }

  /** Attaches to a running cluster (e.g. one the e2e global setup started) through its admin kubeconfig. */
  static async attach(connection: KubeConnection): Promise<KubeTestEnvironment> {
    if (!existsSync(connection.kubeconfigPath)) {
      throw new Error(
        `cannot attach to the test cluster: kubeconfig ${connection.kubeconfigPath} does not exist (was it stopped?)`,
      );
    }
    const env = new KubeTestEnvironment(connection.kubeconfigPath, undefined);
    await waitFor(() => env.client.get(NamespaceResource, 'default').then(() => true), {
      what: `namespace default on the test cluster at ${env.serverUrl}`,
      timeoutMs: 30_000,
    });
    return env;
  }

  /**
   * Attaches to the cluster whose admin kubeconfig `KUBELOOM_KUBE_KUBECONFIG` names, if it is set (a
   * developer's long-running test cluster, say), and otherwise starts a new one.
   */
  static fromEnvironment(options: KubeStartOptions = {}): Promise<KubeTestEnvironment> {
    const existing = process.env[EXISTING_KUBE_KUBECONFIG_ENV];
    return existing
      ? KubeTestEnvironment.attach({ kubeconfigPath: existing })
      : KubeTestEnvironment.start(options);
  }

  /** What another process needs to attach to this cluster. */
  get connection(): KubeConnection {
    return { kubeconfigPath: this.kubeconfigPath };
  }

  /** Temporary directory with the cluster's state and logs; undefined when attached. */
  get dataDir(): string | undefined {
    return this.#plane?.dataDir;
  }

  /** Process ids (process groups) of the servers still running; empty when attached or stopped. */
  get pids(): number[] {
    return this.#plane?.pids ?? [];
  }

  /** The admin kubeconfig as YAML, e.g. to hand to a process under test. It contains the admin token. */
  kubeconfigYaml(): string {
    return readFileSync(this.kubeconfigPath, 'utf8');
  }

  /**
   * Creates or updates CustomResourceDefinitions, given as YAML/JSON file paths (several documents per
   * file are fine) or as objects, and waits until each is Established.
   */
  installCrds(crds: CrdSource | readonly CrdSource[], options: { timeoutMs?: number } = {}): Promise<void> {
    return installCrds(this.client, Array.isArray(crds) ? crds : [crds as CrdSource], options);
  }

  /** The last lines a server wrote, for diagnosing a failed test; empty when attached. */
  logTail(component: 'etcd' | 'kube-apiserver' | 'kube-controller-manager', lines = 40): string {
    return this.#plane?.logTail(component, lines) ?? '';
  }

  /**
   * Closes this environment's connections; if it started the cluster, also stops every server and
   * removes the data directory. An attached cluster keeps running.
   */
  async stop(): Promise<void> {
    await this.client.rest.pool.close();
    await this.#plane?.stop();
  }
}
