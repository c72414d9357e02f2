import type { KubeObject } from '../client/object.ts';
import { type RequestHandler, requestForObject } from './request-handler.ts';

/**
 * Reconciles the object the event is about, in the cluster it came from: the handler of a controller's
 * primary (`for`) resource.
 */
export function enqueueForObject<T extends KubeObject = KubeObject>(): RequestHandler<T> {
  return {
    create: (object, context) => context.enqueue(requestForObject(object, context.clusterName)),
    update: (_oldObject, newObject, context) =>
      context.enqueue(requestForObject(newObject, context.clusterName)),
    delete: (object, context) => context.enqueue(requestForObject(object, context.clusterName)),
    generic: (object, context) => context.enqueue(requestForObject(object, context.clusterName)),
  };
}
