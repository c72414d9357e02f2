/**
 * Handlers: map watch events of an engaged cluster to reconcile Requests.
 *
 * @packageDocumentation
 */
export * from './enqueue-for-object.ts';
export * from './enqueue-for-owner.ts';
export * from './enqueue-from-map.ts';
export * from './request-handler.ts';
