/**
 * The mixed-fleet controller: an app described by a ConfigMap in a kcp workspace is run as a Deployment
 * and a Service in the kind cluster the ConfigMap names. It watches kcp and writes to kind, in one manager.
 */
import {
  type ClusterName,
  ClusterNotFoundError,
  type ConfigMap,
  ConfigMapResource,
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  type Deployment,
  DeploymentResource,
  type Provider,
  type Service,
  ServiceResource,
  applyObject,
  enqueueFromMap,
  predicateFn,
} from '@kubeloom/core';

/** On a ConfigMap in kcp: the kind cluster (its kind name, e.g. `fleet-eu`) to run the app in. */
export const TARGET_LABEL = 'mixed-fleet.kubeloom.dev/target';
/** On the Deployment and Service in kind: the kcp cluster (as the manager names it) of their ConfigMap. */
export const SOURCE_CLUSTER_ANNOTATION = 'mixed-fleet.kubeloom.dev/source-cluster';
/** On the Deployment and Service in kind: `<namespace>/<name>` of their ConfigMap. */
export const SOURCE_OBJECT_ANNOTATION = 'mixed-fleet.kubeloom.dev/source-object';
/** Field manager of everything the controller applies. */
export const FIELD_MANAGER = 'mixed-fleet';

/** Options for {@link appPlacementController}. */
export interface AppPlacementOptions {
  /** Where the kind clusters are looked up: the manager's provider (a MultiProvider). */
  clusters: Pick<Provider, 'get'>;
  /** Prefix of the kcp clusters' names in the manager, e.g. `kcp#`. */
  kcpPrefix: string;
  /** Prefix of the kind clusters' names in the manager, e.g. `kind#`. */
  kindPrefix: string;
  /** Namespace of the Deployments and Services in the kind clusters. Default `default`. */
  targetNamespace?: string;
  /** How long to wait before trying again when the target kind cluster is not engaged. Default 10 s. */
  retryMissingTargetMs?: number;
  /**
   * Each placement is applied again after this long, so that an app lands again in a kind cluster that was
   * recreated empty under the same name (nothing in the new cluster would wake its ConfigMap). Default 60 s.
   */
  resyncMs?: number;
  controller?: ControllerOptions;
}

/**
 * Watches ConfigMaps labelled {@link TARGET_LABEL} in the kcp clusters and applies, in the named kind
 * cluster, a Deployment (`data.image`, `data.replicas`, `data.port`) and a Service for it. The Deployments
 * in the kind clusters are watched too, so a Deployment changed or deleted there is put back.
 */
export function appPlacementController(options: AppPlacementOptions): Controller {
  const { clusters, kcpPrefix, kindPrefix } = options;
  const namespace = options.targetNamespace ?? 'default';
  const retryMs = options.retryMissingTargetMs ?? 10_000;
  const resyncMs = options.resyncMs ?? 60_000;
  const fromKcp = (name: ClusterName): boolean => name.startsWith(kcpPrefix);
  const fromKind = (name: ClusterName): boolean => name.startsWith(kindPrefix);
  return new ControllerBuilder('app-placement')
    .for(ConfigMapResource, {
      clusters: fromKcp,
      predicates: [predicateFn((cm: ConfigMap) => Boolean(cm.metadata?.labels?.[TARGET_LABEL]))],
    })
    .watches(
      DeploymentResource,
      // A Deployment in kind wakes the ConfigMap in kcp it was made for: a request for another cluster.
      enqueueFromMap(
        (deployment: Deployment) => {
          const cluster = deployment.metadata?.annotations?.[SOURCE_CLUSTER_ANNOTATION];
          const [ns, name] = deployment.metadata?.annotations?.[SOURCE_OBJECT_ANNOTATION]?.split('/') ?? [];
          return cluster && ns && name ? [{ cluster, namespace: ns, name }] : [];
        },
        { crossCluster: true },
      ),
      { clusters: fromKind },
    )
    .withOptions(options.controller ?? {})
    .build(async (request, { cluster, log, signal }) => {
      const cm = cluster.cache.reader(ConfigMapResource).get(request.name, request.namespace);
      const target = cm?.metadata?.labels?.[TARGET_LABEL];
      if (!cm || !target) return {}; // Cleaning up in kind after a deletion would need a finalizer here.
      let kind;
      try {
        kind = await clusters.get(`${kindPrefix}${target}`);
      } catch (error) {
        if (!(error instanceof ClusterNotFoundError)) throw error;
        log.info({ target }, `target kind cluster not engaged (${error.message}); trying again later`);
        return { requeueAfter: retryMs };
      }
      const app = request.name;
      const port = Number(cm.data?.port ?? 80);
      const metadata = {
        name: app,
        namespace,
        labels: { app },
        annotations: {
          [SOURCE_CLUSTER_ANNOTATION]: request.cluster,
          [SOURCE_OBJECT_ANNOTATION]: `${request.namespace}/${request.name}`,
        },
      };
      // Server-side apply: only the fields set here are the controller's, and an unchanged apply is a no-op.
      await applyObject<Deployment>(
        kind.client,
        DeploymentResource,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata,
          spec: {
            replicas: Number(cm.data?.replicas ?? 1),
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels: { app } },
              spec: {
                containers: [
                  { name: app, image: cm.data?.image ?? 'nginx', ports: [{ containerPort: port }] },
                ],
              },
            },
          },
        },
        { fieldManager: FIELD_MANAGER, signal },
      );
      await applyObject<Service>(
        kind.client,
        ServiceResource,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata,
          spec: { selector: { app }, ports: [{ port, targetPort: port }] },
        },
        { fieldManager: FIELD_MANAGER, signal },
      );
      log.info({ target }, 'app placed');
      return { requeueAfter: resyncMs };
    });
}
