import type { ClusterName } from '../cluster/cluster.ts';
import type { KubeObject } from '../client/object.ts';
import { type Request, requestKey } from '../reconcile/request.ts';
import type { HandlerContext, RequestHandler } from './request-handler.ts';

/**
 * A Request returned by a map function. Without `cluster` it is for the event's own cluster, which is
 * what a map function wants almost always.
 */
export interface MappedRequest {
  /** The cluster the object to reconcile lives in; default the cluster of the event. */
  readonly cluster?: ClusterName;
  /** Its namespace; `''` for cluster-scoped objects. */
  readonly namespace: string;
  /** Its name. */
  readonly name: string;
}

/**
 * Maps an object (of the event's cluster, named `cluster`) to the objects to reconcile. It runs inside the
 * informer's dispatch: read from caches, never call the API server. It may return the same request twice.
 */
export type MapFunction<T extends KubeObject = KubeObject> = (
  object: T,
  cluster: ClusterName,
) => readonly MappedRequest[];

/** Options for {@link enqueueFromMap}. */
export interface EnqueueFromMapOptions {
  /**
   * Allow requests for clusters other than the event's (fan-out across clusters, e.g. a tenant object in
   * kcp that drives resources in a compute cluster). Default false: such requests are dropped with a
   * warning, because a map function that names a foreign cluster by mistake would otherwise reconcile
   * objects of one workspace in another (multicluster-provider issue 42).
   */
  crossCluster?: boolean;
}

/**
 * Reconciles whatever `map` says an event's object relates to: "a Secret changed, reconcile every
 * Database that references it". Updates map both the old and the new object, so that an object that
 * stops referring to something still wakes it once more.
 */
export function enqueueFromMap<T extends KubeObject = KubeObject>(
  map: MapFunction<T>,
  options: EnqueueFromMapOptions = {},
): RequestHandler<T> {
  const crossCluster = options.crossCluster ?? false;

  const enqueueMapped = (objects: readonly T[], context: HandlerContext): void => {
    const seen = new Set<string>();
    for (const object of objects) {
      let mapped: readonly MappedRequest[];
      try {
        mapped = map(object, context.clusterName);
      } catch (error) {
        context.log.error(
          { err: error, object: `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}` },
          'the map function of an enqueueFromMap handler threw; no requests were enqueued for this object',
        );
        continue;
      }
      for (const request of mapped) {
        const target: Request = {
          cluster: request.cluster ?? context.clusterName,
          namespace: request.namespace,
          name: request.name,
        };
        if (target.cluster !== context.clusterName && !crossCluster) {
          context.log.warn(
            { request: requestKey(target), from: context.clusterName },
            'the map function returned a request for another cluster; ignored (create the handler with { crossCluster: true } to allow it)',
          );
          continue;
        }
        const key = requestKey(target);
        if (seen.has(key)) continue;
        seen.add(key);
        context.enqueue(target);
      }
    }
  };

  return {
    create: (object, context) => enqueueMapped([object], context),
    update: (oldObject, newObject, context) => enqueueMapped([oldObject, newObject], context),
    delete: (object, context) => enqueueMapped([object], context),
    generic: (object, context) => enqueueMapped([object], context),
  };
}
