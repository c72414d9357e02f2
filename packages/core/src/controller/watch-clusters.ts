import type { ClusterName } from '../cluster/cluster.ts';

/**
 * Which engaged clusters a watch applies to. The manager engages its own (local) cluster under the name
 * `''` and every provider cluster under its provider-given name, so one controller can, for instance,
 * reconcile tenant objects in every kcp workspace (`'provider'`) while watching the Deployments it creates
 * in the compute cluster it runs in (`'local'`):
 * - `'provider'`: every engaged cluster except the local one (the default of the `for` watch);
 * - `'local'`: only the local cluster, `''`;
 * - `'all'`: every engaged cluster;
 * - a function: the clusters whose name it accepts (e.g. a name prefix of one provider of several).
 *
 * The choice only decides where the watch's events come from. A Request for any engaged cluster is
 * reconciled, whichever watch produced it, so cross-cluster handlers can target clusters the controller
 * does not watch.
 */
export type WatchClusters = 'provider' | 'local' | 'all' | ((name: ClusterName) => boolean);

/** Whether a watch for `clusters` applies to the engaged cluster `name`. */
export function watchesCluster(clusters: WatchClusters, name: ClusterName): boolean {
  switch (clusters) {
    case 'provider':
      return name !== '';
    case 'local':
      return name === '';
    case 'all':
      return true;
    default:
      return clusters(name);
  }
}
