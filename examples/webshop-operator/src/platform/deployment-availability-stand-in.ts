/**
 * Makes Deployments on a compute cluster without nodes report available replicas.
 *
 * The test clusters run kube-apiserver and kube-controller-manager but no scheduler and no kubelet, so a
 * Deployment's Pods are created (by its ReplicaSet) and stay Pending. The deployment controller owns a
 * Deployment's status and would overwrite anything written there, so this stand-in plays the kubelet's
 * part instead: it marks each ReplicaSet-owned Pod Running and Ready through the `pods/status`
 * subresource. The ReplicaSet and deployment controllers then count ready and available replicas exactly
 * as on a real cluster, and rollouts (new ReplicaSet up, old one down) go through the real controllers.
 * An unscheduled Pod is deleted at once (no kubelet to wait for), so scale-down and namespace deletion
 * work too. It needs kube-controller-manager (the default of `KubeTestEnvironment.start`).
 */
import {
  type Client,
  ControllerBuilder,
  type KubeObject,
  type Logger,
  Manager,
  defineResource,
  parseLabelSelector,
  silentLogger,
} from '@kubeloom/core';
import { type RunningManager, runInBackground } from './background-manager.ts';

/** The parts of a core/v1 Pod the stand-in reads and writes. */
interface Pod extends KubeObject {
  spec?: { containers?: Array<{ name: string; image?: string }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }>; [field: string]: unknown };
}

/** core/v1 Pods. */
const PodResource = defineResource<Pod>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
});

/** Options for {@link startDeploymentAvailabilityStandIn}. */
export interface DeploymentAvailabilityStandInOptions {
  /** Only Pods matching this label selector (e.g. the operator's workload label); default every Pod. */
  labelSelector?: string;
  logger?: Logger;
}

/** The status a kubelet would report for `pod` once all its containers run and pass their probes. */
function runningStatus(pod: Pod): NonNullable<Pod['status']> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  return {
    ...pod.status,
    phase: 'Running',
    startTime: now,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}

/** Starts the stand-in on `compute`; it marks Pods owned by a ReplicaSet Running and Ready. */
export function startDeploymentAvailabilityStandIn(
  compute: Client,
  options: DeploymentAvailabilityStandInOptions = {},
): RunningManager {
  const selector = parseLabelSelector(options.labelSelector);
  const manager = new Manager({ local: compute, logger: options.logger ?? silentLogger });
  manager.add(
    new ControllerBuilder('deployment-availability-stand-in')
      .for(PodResource, { clusters: 'local' })
      .build(async (req, { cluster }) => {
        const pod = cluster.cache.reader(PodResource).get(req.name, req.namespace);
        if (!pod || pod.metadata?.deletionTimestamp || !selector.matches(pod.metadata?.labels ?? {})) return;
        if (!pod.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet')) return;
        const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (pod.status?.phase === 'Running' && ready) return;
        await compute.updateStatus(PodResource, { ...pod, status: runningStatus(pod) });
      }),
  );
  return runInBackground(manager);
}
