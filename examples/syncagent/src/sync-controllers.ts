/**
 * The sync manager: one sync controller per PublishedResource, started once the resource is published
 * (its schema name is in its status) and restarted cleanly — the old controller is stopped and drained
 * before the new one starts — whenever what it syncs changes (the PublishedResource's spec, or the CRD's
 * storage version or schema). A PublishedResource that becomes invalid, is deleted, or has
 * `synchronization.enabled: false` gets its controller stopped; nothing is deleted on either side.
 *
 * Each sync controller reconciles the kcp objects of every engaged workspace (from the APIExport
 * provider) and is woken by changes to its copies on the service cluster, mapped back through their
 * identification labels, and by changes to service-origin related objects whose entry has a `watch` rule.
 */
import {
  type Cluster,
  type ClusterAwareRunnable,
  type ClusterName,
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  CustomResourceDefinitionResource,
  type KubeObject,
  type Logger,
  type Manager,
  type Reconciler,
  type Result,
  type ResourceDescriptor,
  type ShardedProvider,
  enqueueFromMap,
} from '@kubeloom/core';
import { agentNameKey } from './api-resource-schema.ts';
import { compileMutations } from './mutations.ts';
import { objectSyncer } from './object-syncer.ts';
import { remoteKeyOfLocalCopy } from './object-identity.ts';
import { checkPublishedResource } from './published-resource-check.ts';
import { type PublishedResource, PublishedResourceResource, isSyncEnabled } from './published-resource.ts';
import { type ResolvedRelated, RelatedResourceNotServedError, resolveRelated } from './related-sync.ts';
import { type SyncProblem, syncProblemsPatch } from './sync-problems.ts';
import { kcpPrimariesOfRelatedObject, primariesOfRelatedObject } from './related-watch.ts';
import { remoteChangePredicate } from './remote-change-predicate.ts';
import { compileResourceFilter } from './resource-filter.ts';
import type { StateStore } from './state-store.ts';
import { type SyncTarget, findServiceCrd, syncTargetOf } from './sync-target.ts';
import { enqueuePublishersOfCrd } from './publishers-of-crd.ts';

/** What the sync manager needs. */
export interface SyncManagerOptions {
  readonly manager: Manager;
  readonly service: Cluster;
  readonly state: StateStore;
  readonly agentName: string;
  readonly selects: (pr: KubeObject) => boolean;
  /** Options for every sync controller (logger, metrics). */
  readonly controllerOptions?: ControllerOptions;
  /**
   * Set when the agent's replicas share the workspaces: the sync manager and the sync controllers then run
   * on every replica (not only the leader), and each sync runs only for a workspace this replica owns.
   */
  readonly sharded?: ShardedProvider;
  /** Called after every sync of a kcp object that ran on this replica. */
  readonly onSynced?: (record: SyncRecord) => void;
}

/** One sync of one kcp object by this replica. */
export interface SyncRecord {
  readonly publishedResource: string;
  /** The logical cluster (workspace) of the kcp object. */
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Whether the sync threw (it is retried). */
  readonly failed: boolean;
}

/** Wraps a sync reconciler so that every run is reported to `onSynced`. */
function observed(
  publishedResource: string,
  reconciler: Reconciler,
  onSynced: ((record: SyncRecord) => void) | undefined,
): Reconciler {
  if (!onSynced) return reconciler;
  return async (request, context) => {
    const startedAt = Date.now();
    let failed = true;
    try {
      const result = await reconciler(request, context);
      failed = false;
      return result;
    } finally {
      onSynced({
        publishedResource,
        cluster: request.cluster,
        namespace: request.namespace ?? '',
        name: request.name,
        startedAt,
        endedAt: Date.now(),
        failed,
      });
    }
  };
}

/** A running sync controller and what it was built from. */
interface RunningSync {
  readonly key: string;
  readonly target: SyncTarget;
  /** What is reported on the PublishedResource while it runs (`StatusSubresourceMissing`). */
  readonly problems: readonly SyncProblem[];
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

/**
 * Builds the `syncagent-syncmanager` controller; `running()` lists the PublishedResources being synced,
 * `localResources()` the service-cluster kinds they sync.
 */
export function syncManagerController(
  options: SyncManagerOptions,
): Controller & { running(): string[]; localResources(): ResourceDescriptor[] } {
  const running = new Map<string, RunningSync>();
  const log = options.controllerOptions?.logger;
  const prs = (): PublishedResource[] =>
    options.service.cache.reader(PublishedResourceResource).list().filter(options.selects);
  const controller = new ControllerBuilder('syncagent-syncmanager')
    .for(PublishedResourceResource, { clusters: 'local' })
    .watches(CustomResourceDefinitionResource, enqueuePublishersOfCrd(prs), { clusters: 'local' })
    .withOptions({
      maxConcurrentReconciles: 1,
      ...options.controllerOptions,
      ...(options.sharded ? { needLeaderElection: false } : {}),
    })
    .build(async (req, { log: reqLog }): Promise<Result | undefined> => {
      const raw = options.service.cache.reader(PublishedResourceResource).get(req.name);
      const wanted = raw ? await desiredSync(raw, options) : undefined;
      const current = running.get(req.name);
      if (current && current.key === wanted?.key) {
        if (raw) await reportSyncProblems(raw, current.problems, options, reqLog);
        return undefined;
      }
      if (current) {
        current.stop.abort();
        await current.done;
        running.delete(req.name);
        reqLog.info('stopped the sync controller');
      }
      if (!wanted || !raw) {
        if (raw) await reportSyncProblems(raw, [], options, reqLog);
        return undefined;
      }
      const resolved = await resolveAllRelated(wanted.pr, options);
      if (!resolved.related) {
        await reportSyncProblems(raw, resolved.problems, options, reqLog);
        // The missing resource may be installed later (nothing watches for that): look again now and then.
        return { requeueAfter: relatedRecheckMs };
      }
      const started = await startSync(req.name, wanted, resolved.related, resolved.problems, options, log);
      running.set(req.name, started);
      reqLog.info(
        { remote: wanted.target.remote, local: wanted.target.local },
        'started the sync controller',
      );
      await reportSyncProblems(raw, resolved.problems, options, reqLog);
      return undefined;
    });
  return Object.assign(controller, {
    running: () => [...running.keys()].toSorted(),
    localResources: () => [...running.values()].map((r) => r.target.local),
  });
}

/** The sync a PublishedResource should have now, or undefined when it should have none. */
async function desiredSync(
  raw: PublishedResource,
  options: SyncManagerOptions,
): Promise<{ key: string; pr: PublishedResource; target: SyncTarget } | undefined> {
  if (raw.metadata.deletionTimestamp || !options.selects(raw) || !raw.status?.resourceSchemaName)
    return undefined;
  const { resource: pr, problems } = checkPublishedResource(raw);
  if (problems.length > 0 || !isSyncEnabled(pr)) return undefined;
  const crd = await findServiceCrd(options.service.client, pr.spec.resource.apiGroup, pr.spec.resource.kind);
  if (!crd) return undefined;
  let target: SyncTarget;
  try {
    target = syncTargetOf(pr, crd);
  } catch {
    return undefined; // the schema controller reports it on the PublishedResource
  }
  return { key: `${raw.metadata.uid}|${raw.metadata.generation}|${target.schemaName}`, pr, target };
}

/** How often a PublishedResource whose related resource is not served is looked at again. */
const relatedRecheckMs = 30_000;

/**
 * Resolves every related entry. A resource the service cluster does not serve is a `RelatedResourceNotServed`
 * problem (and no `related`); a `syncStatus` entry without a status subresource a `StatusSubresourceMissing`
 * one. Other errors (the service cluster unreachable) are thrown, so the reconcile is retried.
 */
async function resolveAllRelated(
  pr: PublishedResource,
  options: SyncManagerOptions,
): Promise<{ related?: ResolvedRelated[]; problems: SyncProblem[] }> {
  const problems: SyncProblem[] = [];
  const related: ResolvedRelated[] = [];
  for (const [index, spec] of (pr.spec.related ?? []).entries()) {
    const field = `spec.related[${index}] ("${spec.identifier}")`;
    try {
      const r = await resolveRelated(spec, options.service.client, `spec.related[${index}]`);
      related.push(r);
      if (spec.syncStatus === true && !r.destinationHasStatus) {
        problems.push({
          type: 'StatusSubresourceMissing',
          message: `${field}: syncStatus is set, but ${r.destination.plural} has no status subresource; its status is not synced (remove syncStatus, or give the CRD a status subresource)`,
        });
      }
    } catch (error) {
      if (!(error instanceof RelatedResourceNotServedError)) throw error;
      const served = error.message.replace(/^related resource "[^"]*": /, '');
      problems.push({
        type: 'RelatedResourceNotServed',
        message: `${field}: ${served}; this PublishedResource is not synced until it is (install the CRD, or fix the entry)`,
      });
    }
  }
  return problems.some((p) => p.type === 'RelatedResourceNotServed') ? { problems } : { related, problems };
}

/** Writes the sync-problem conditions on the PublishedResource and posts a Warning event for each new one. */
async function reportSyncProblems(
  pr: PublishedResource,
  problems: readonly SyncProblem[],
  options: SyncManagerOptions,
  log: Logger,
): Promise<void> {
  const change = syncProblemsPatch(pr, problems);
  if (!change) return;
  for (const problem of change.raised) {
    options.service.events.record(pr, { type: 'Warning', reason: problem.type, message: problem.message });
    log.warn({ reason: problem.type }, problem.message);
  }
  await options.service.client.patch(PublishedResourceResource, pr.metadata.name ?? '', change.patch, {
    subresource: 'status',
  });
}

/** Builds and starts the sync controller of one PublishedResource. */
async function startSync(
  name: string,
  { pr, target, key }: { key: string; pr: PublishedResource; target: SyncTarget },
  related: readonly ResolvedRelated[],
  problems: readonly SyncProblem[],
  options: SyncManagerOptions,
  log: Logger | undefined,
): Promise<RunningSync> {
  const builder = new ControllerBuilder(`syncagent-sync-${name}`).for(target.remote, {
    predicates: [remoteChangePredicate()],
  });
  // A service-origin related entry with a `watch` rule: its changes wake the primary's sync at once.
  for (const r of related) {
    if (r.spec.origin !== 'service' || !r.spec.watch) continue;
    builder.watches(
      r.origin,
      enqueueFromMap(
        (object: KubeObject) =>
          primariesOfRelatedObject(r.spec, object, {
            kind: target.local.kind,
            agentName: options.agentName,
            list: (namespace, labelSelector) =>
              options.service.cache.reader(target.local).list({
                ...(target.local.namespaced ? { namespace } : {}),
                ...(labelSelector ? { labelSelector } : {}),
              }),
          }),
        { crossCluster: true },
      ),
      { clusters: 'local' },
    );
  }
  // A kcp-origin related entry with a `watch` rule: a change in the consumer's workspace wakes the primaries
  // there (looked up in that workspace's cache of the synced kind).
  const engaged = new Map<ClusterName, Cluster>();
  for (const r of related) {
    if (r.spec.origin !== 'kcp' || !r.spec.watch) continue;
    builder.watches(
      r.origin,
      enqueueFromMap((object: KubeObject, clusterName: ClusterName) => {
        const cache = engaged.get(clusterName)?.cache.reader(target.remote);
        if (!cache) return [];
        return kcpPrimariesOfRelatedObject(r.spec, object, {
          kind: target.remote.kind,
          list: (namespace, labelSelector) =>
            cache.list({
              ...(target.remote.namespaced ? { namespace } : {}),
              ...(labelSelector ? { labelSelector } : {}),
            }),
        });
      }),
    );
  }
  const controller = builder
    .watches(
      target.local,
      enqueueFromMap(
        (copy: KubeObject) => {
          const remote = remoteKeyOfLocalCopy(copy);
          if (!remote || copy.metadata?.labels?.[agentNameKey] !== options.agentName) return [];
          return [{ cluster: remote.clusterName, namespace: remote.namespace, name: remote.name }];
        },
        { crossCluster: true },
      ),
      { clusters: 'local' },
    )
    .withOptions({
      maxConcurrentReconciles: 8,
      gracefulShutdownMs: 10_000,
      ...options.controllerOptions,
      ...(log ? { logger: log.child({ publishedResource: name }) } : {}),
      ...(options.sharded ? { needLeaderElection: false } : {}),
    })
    .build(
      fencedSync(
        name,
        options,
        objectSyncer({
          pr,
          target,
          service: options.service.client,
          state: options.state,
          agentName: options.agentName,
          filter: compileResourceFilter(pr.spec.filter),
          specMutations: compileMutations(pr.spec.mutation?.spec, 'spec.mutation.spec'),
          statusMutations: compileMutations(pr.spec.mutation?.status, 'spec.mutation.status'),
          related,
          localCache: () => options.service.cache.reader(target.local),
        }),
      ),
    );
  const stop = new AbortController();
  const finished = Promise.withResolvers<void>();
  const runnable: ClusterAwareRunnable = {
    name: controller.name,
    needLeaderElection: controller.needLeaderElection,
    engage: (cluster: ClusterName, c: Cluster, signal: AbortSignal) => {
      const engagement = AbortSignal.any([signal, stop.signal]);
      engaged.set(cluster, c);
      engagement.addEventListener('abort', () => engaged.get(cluster) === c && engaged.delete(cluster), {
        once: true,
      });
      return controller.engage(cluster, c, engagement);
    },
    start: async (signal: AbortSignal) => {
      try {
        await controller.start(AbortSignal.any([signal, stop.signal]));
      } finally {
        finished.resolve();
      }
    },
  };
  options.manager.add(runnable);
  return { key, target, problems, stop, done: finished.promise };
}

/** The object syncer as a replica runs it: reported, and with sharding only for the workspaces it owns. */
function fencedSync(name: string, options: SyncManagerOptions, sync: Reconciler): Reconciler {
  const reported = observed(name, sync, options.onSynced);
  return options.sharded ? options.sharded.fence(reported) : reported;
}
