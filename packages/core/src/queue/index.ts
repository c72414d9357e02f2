/**
 * The work queue of kubeloom controllers: keyed, deduplicating, delaying and rate limited like client-go's
 * workqueue, with worker slots for concurrent reconciles.
 *
 * @packageDocumentation
 */
export * from './default-rate-limiter.ts';
export * from './exponential-backoff-limiter.ts';
export * from './max-of-limiter.ts';
export * from './rate-limiter.ts';
export type { ProcessContext, Processor, RunOptions } from './run-workers.ts';
export * from './token-bucket-limiter.ts';
export * from './work-queue.ts';
export * from './work-queue-observer.ts';
