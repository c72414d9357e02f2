import type { Client } from '../client/client.ts';
import type { KubeConfigSource } from '../client/kubeconfig.ts';
import type { Cluster, ClusterName } from './cluster.ts';
import { StaticProvider, type StaticProviderOptions } from './static-provider.ts';

/** Options for {@link SingleClusterProvider}. */
export type SingleClusterProviderOptions = StaticProviderOptions;

/**
 * Exactly one cluster, under a name of your choice: from a Client, a ready Cluster, or a kubeconfig
 * (loaded at construction, so a bad kubeconfig fails at once with a message naming file and context).
 * Useful to drive a remote cluster as a provider cluster, or to combine one fixed cluster with others in a
 * {@link MultiProvider}. It is a {@link StaticProvider} that starts with that one cluster.
 */
export class SingleClusterProvider extends StaticProvider {
  /** The name the cluster is engaged under. */
  readonly name: ClusterName;

  constructor(
    name: ClusterName,
    source: Client | Cluster | KubeConfigSource,
    options: SingleClusterProviderOptions = {},
  ) {
    super(options);
    this.name = name;
    this.add(name, source);
  }
}
