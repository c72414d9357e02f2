import type { Registry } from 'prom-client';
import type { InformerOptions } from '../cache/shared-informer.ts';
import type { Client } from '../client/client.ts';
import type { KubeConfigSource } from '../client/kubeconfig.ts';
import type { Cluster, Provider } from '../cluster/cluster.ts';
import type { Logger } from '../log/logger.ts';
import type { LeaderElectionOptions } from './leader-elector.ts';
import type { Manager } from './manager.ts';

/** Options for {@link Manager}. */
export interface ManagerOptions {
  /**
   * The local cluster (name `''`): where the Lease lives, and what controllers may watch besides provider
   * clusters. A Client, a ready Cluster, or a kubeconfig source. Default: the usual kubeconfig lookup
   * (`$KUBECONFIG`, `~/.kube/config`, in-cluster). For kcp, point it at the provider's workspace.
   */
  local?: Client | Cluster | KubeConfigSource;
  /** Where clusters come from. Without one the manager drives only the local cluster. */
  provider?: Provider;
  /** Default: a {@link JsonLogger} at level `info` on stdout. */
  logger?: Logger;
  /** Registry for every metric of this manager. Default: a new one (never prom-client's global registry). */
  registry?: Registry;
  /** Add prom-client's process and Node.js metrics to a registry the manager creates. Default true. */
  defaultMetrics?: boolean;
  /** Label reconcile metrics with `cluster` (opt-in: the number of series grows with the clusters). Default false. */
  metricsClusterLabel?: boolean;
  /** Serve `/healthz` and `/readyz` here, e.g. `:8081` or `127.0.0.1:0`. Default: not served. */
  healthProbeBindAddress?: string;
  /** Serve `/metrics` here, e.g. `:8080`; may equal the probe address to share one server. Default: not served. */
  metricsBindAddress?: string;
  /** Leader election on a Lease in the local cluster. Default: off (every replica runs everything). */
  leaderElection?: LeaderElectionOptions;
  /** How long shutdown waits for runnables to finish their in-flight work. Default 30 s. */
  gracefulShutdownMs?: number;
  /**
   * Called when leadership is lost. Leader-only runnables have already been aborted. Default: log, set
   * `process.exitCode = 1` and stop the manager, so the pod restarts clean (controller-runtime exits too).
   */
  onLeadershipLost?: (manager: Manager) => void;
  /** Informer options for the local cluster (when the manager builds it). */
  informerOptions?: InformerOptions;
  /** `source.component` of Events recorded in the local cluster. Default `kubeloom`. */
  eventComponent?: string;
  /** First delay before retrying a failed engagement of a cluster into a runnable. Default 1 s. */
  engageRetryDelayMs?: number;
}
