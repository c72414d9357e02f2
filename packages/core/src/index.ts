/**
 * kubeloom core: the multicluster controller runtime. This entry point re-exports every public symbol;
 * each concept lives in its own folder (client/, watch/, cache/, ...).
 *
 * @packageDocumentation
 */
export * from './cache/index.ts';
export * from './client/index.ts';
export * from './cluster/index.ts';
export * from './log/logger.ts';
export * from './metrics/controller-metrics.ts';
export * from './queue/index.ts';
export * from './reconcile/index.ts';
export * from './util/wait-for.ts';
export * from './watch/index.ts';
