/**
 * Sources: per-cluster recipes for the events a controller reacts to.
 *
 * @packageDocumentation
 */
export * from './kind.ts';
export * from './source.ts';
