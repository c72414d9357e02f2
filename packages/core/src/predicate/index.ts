/**
 * Predicates: filters that decide which watch events wake a controller.
 *
 * @packageDocumentation
 */
export * from './changed-predicates.ts';
export * from './combinators.ts';
export * from './predicate.ts';
