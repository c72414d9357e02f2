export * from './rendezvous.ts';
export * from './shard-coordinator.ts';
export * from './sharded-provider.ts';
export * from './sharding-metrics.ts';
