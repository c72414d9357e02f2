/**
 * Controllers: one work queue and worker pool for every engaged cluster, and a builder that assembles them.
 *
 * @packageDocumentation
 */
export * from './controller.ts';
export * from './controller-builder.ts';
export * from './watch-clusters.ts';
