/**
 * kubeloom core: the multicluster controller runtime. This entry point re-exports every public symbol;
 * each concept lives in its own folder (client/, watch/, cache/, ...).
 *
 * @packageDocumentation
 */
export * from './cache/index.ts';
export * from './client/index.ts';
export * from './cluster/index.ts';
export * from './controller/index.ts';
export * from './handler/index.ts';
export * from './events/index.ts';
export * from './log/index.ts';
export * from './manager/index.ts';
export * from './manifests/index.ts';
export * from './metrics/index.ts';
export * from './predicate/index.ts';
export * from './queue/index.ts';
export * from './reconcile/index.ts';
export * from './sharding/index.ts';
export * from './source/index.ts';
export * from './util/coalesced-run.ts';
export * from './util/linked-abort.ts';
export * from './util/package-directory.ts';
export * from './util/wait-for.ts';
export * from './watch/index.ts';
