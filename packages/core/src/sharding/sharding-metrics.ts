import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { promClient } from '../metrics/prom-client.ts';

/** Prometheus metrics of a sharded replica. */
export class ShardingMetrics {
  /** `kubeloom_shard_workspaces_owned`: workspaces this replica engages. */
  readonly workspacesOwned: Gauge;
  /** `kubeloom_shard_buckets_held`: buckets this replica holds. */
  readonly bucketsHeld: Gauge;
  /** `kubeloom_shard_members`: replicas of the group seen alive. */
  readonly members: Gauge;
  /** `kubeloom_shard_rebalances_total`: times the set of buckets assigned to this replica changed. */
  readonly rebalances: Counter;
  /** `kubeloom_shard_handover_seconds`: from being assigned a bucket to holding its Lease. */
  readonly handoverSeconds: Histogram;

  constructor(registry: Registry) {
    const { Counter, Gauge, Histogram } = promClient();
    this.workspacesOwned = new Gauge({
      name: 'kubeloom_shard_workspaces_owned',
      help: 'Workspaces (clusters) this replica engages because it holds their bucket lease.',
      registers: [registry],
    });
    this.bucketsHeld = new Gauge({
      name: 'kubeloom_shard_buckets_held',
      help: 'Bucket leases this replica holds.',
      registers: [registry],
    });
    this.members = new Gauge({
      name: 'kubeloom_shard_members',
      help: 'Live replicas of the sharding group as this replica sees them.',
      registers: [registry],
    });
    this.rebalances = new Counter({
      name: 'kubeloom_shard_rebalances_total',
      help: 'Times the set of buckets assigned to this replica changed.',
      registers: [registry],
    });
    this.handoverSeconds = new Histogram({
      name: 'kubeloom_shard_handover_seconds',
      help: 'Time from this replica being assigned a bucket to holding its lease (the previous holder released it or it expired).',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers: [registry],
    });
  }
}
