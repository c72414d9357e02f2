/**
 * How the agent's replicas share the bound workspaces: kubeloom's `ShardedProvider` around the APIExport
 * provider, with its Leases in the agent's namespace on the service cluster (the one place every replica
 * already writes to). The group is the agent name, so replicas of one agent share work and two agents in
 * one namespace never do.
 */
import type { ShardingOptions } from '@kubeloom/core';

/** The sharding settings a replica chooses; where the Leases live follows from the agent's own settings. */
export type SyncAgentSharding = Pick<
  ShardingOptions,
  'identity' | 'buckets' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs' | 'balanceSlack'
>;

/**
 * The sharding group (Lease name prefix and `sharding.kubeloom.io/group` label value) of an agent: its
 * name, so the Leases read `<agent-name>-member-<identity>` and `<agent-name>-bucket-<n>`.
 */
export function shardingGroupOf(agentName: string): string {
  return agentName;
}
