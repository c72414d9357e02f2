import type { Aware, Cluster, ClusterName } from '../cluster/cluster.ts';

/** One `engage` call a {@link recordingAware} received. */
export interface RecordedEngagement {
  /** Name of the engaged cluster. */
  readonly name: ClusterName;
  /** The engaged cluster (client, cache, events). */
  readonly cluster: Cluster;
  /** Aborted when the provider disengages the cluster. */
  readonly signal: AbortSignal;
}

/** An {@link Aware} for provider tests: it remembers every engagement, see {@link recordingAware}. */
export interface RecordingAware extends Aware {
  /** Every engagement in order, live or ended. */
  readonly engaged: RecordedEngagement[];
  /** Names of the clusters engaged now (signal not aborted), sorted. */
  live(): ClusterName[];
}

/**
 * An Aware that records what a provider engages and disengages, to test a provider without a manager.
 * `onEngage` runs for each engagement, e.g. to start an informer as a controller would.
 */
export function recordingAware(onEngage?: (engagement: RecordedEngagement) => void): RecordingAware {
  const engaged: RecordedEngagement[] = [];
  return {
    engaged,
    live: () =>
      engaged
        .filter((e) => !e.signal.aborted)
        .map((e) => e.name)
        .toSorted(),
    async engage(name, cluster, signal) {
      const engagement = { name, cluster, signal };
      engaged.push(engagement);
      onEngage?.(engagement);
    },
  };
}
