import type { Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.ts';
import { RestClientMetrics } from './rest-client-metrics.ts';

/**
 * The manager's own series: leader election status (client-go's name), the number of engaged clusters,
 * and the API requests of every client in the process ({@link RestClientMetrics}).
 */
export class ManagerMetrics {
  readonly #leader: Gauge<'name'>;
  readonly #engaged: Gauge;
  /** Requests to API servers, under client-go's names; see {@link RestClientMetrics}. */
  readonly restClient: RestClientMetrics;

  /** Registers the series in `registry` (a manager's own, see {@link newMetricsRegistry}). */
  constructor(registry: Registry) {
    const { Gauge } = promClient();
    this.#leader = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers: [registry],
    });
    this.#engaged = new Gauge({
      name: 'kubeloom_engaged_clusters',
      help: 'Number of clusters the provider has engaged and not yet disengaged (the local cluster is not counted)',
      registers: [registry],
    });
    this.#engaged.set(0);
    this.restClient = new RestClientMetrics(registry);
  }

  /** Whether this process holds the Lease `name`. */
  leaderStatus(name: string, leading: boolean): void {
    this.#leader.set({ name }, leading ? 1 : 0);
  }

  /** The number of engaged provider clusters. */
  engagedClusters(count: number): void {
    this.#engaged.set(count);
  }
}
