/** Settings of the Webshop reconciler, shared by its live and its teardown half. */
import type { Cluster } from '@kubeloom/core';
import type { ExportHint } from './webshop-conditions.ts';

/** What the reconciler needs besides the request. */
export interface WebshopReconcilerOptions {
  /** The compute cluster; throws `ClusterNotFoundError` while it is not engaged. */
  compute: () => Promise<Cluster>;
  /** The manager's separator between provider and cluster names (MultiProvider's, `#`). */
  separator: string;
  /** Where the Postgres and Elastic exports live, named in the not-bound conditions. */
  exports?: { postgres?: ExportHint | undefined; elastic?: ExportHint | undefined } | undefined;
  /** How often a tenant without a needed binding is checked again. */
  notBoundRetryMs: number;
  /** How often a Webshop that is not Ready yet is looked at again, besides the watches. */
  pollMs: number;
  /** How often a Ready Webshop is applied again. */
  resyncMs: number;
  /** How often a deletion that waits for objects to go is looked at again, besides the watches. */
  teardownPollMs: number;
}
