/**
 * The Webshop's conditions from what the operator observed: one pure function per condition, and the
 * status they make. The messages are what a tenant reads in `kubectl get webshop -o yaml`, so each says
 * what is missing and, where the tenant can act, what to do.
 */
import {
  type Condition,
  type ConditionUpdate,
  type Deployment,
  isConditionTrue,
  type Secret,
  setCondition,
} from '@kubeloom/core';
import type { Elasticsearch } from '../api/elasticsearch.ts';
import type { Cluster, Database } from '../api/generated/postgresql.cnpg.io_v1.ts';
import { type Webshop, WebshopCondition, type WebshopStatus } from '../api/webshop.ts';
import type { CredentialsResult } from './credentials.ts';

/** How an export is named in messages: `<workspace path>:<APIExport name>`. */
export interface ExportHint {
  path: string;
  name: string;
}

/** A tenant that has not bound the export of an API the Webshop needs. */
export interface NotBoundObservation {
  state: 'notBound';
  /** The export to bind, when the operator knows where it is. */
  export?: ExportHint | undefined;
  /** How often the operator looks again. */
  retrySeconds: number;
}

/** What the operator saw of the Postgres side of a Webshop. */
export type DatabaseObservation =
  | NotBoundObservation
  | {
      state: 'observed';
      clusterName: string;
      cluster: Cluster | undefined;
      databaseName: string;
      database: Database | undefined;
      secretName: string;
      secret: Secret | undefined;
      credentials: CredentialsResult | undefined;
    };

/** What the operator saw of the search side of a Webshop. */
export type SearchObservation =
  | { state: 'disabled' }
  | NotBoundObservation
  | {
      state: 'observed';
      name: string;
      elasticsearch: Elasticsearch | undefined;
      secretName: string;
      credentials: CredentialsResult | undefined;
    };

const exportText = (hint: ExportHint | undefined, fallbackName: string): string =>
  hint ? `${hint.path}:${hint.name}` : `"${fallbackName}"`;

/** Whether a Postgres Cluster reports condition `Ready` True. */
export function isPostgresClusterReady(cluster: Cluster | undefined): boolean {
  return cluster?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether an Elasticsearch reports condition `Ready` True and its URL. */
export function isElasticsearchReady(search: Elasticsearch | undefined): boolean {
  return Boolean(search?.status?.url) && isConditionTrue(search?.status?.conditions, 'Ready');
}

/** `DatabaseReady`: the Cluster Ready, the Database applied, and the credentials Secret complete. */
export function databaseCondition(observed: DatabaseObservation): ConditionUpdate {
  const type = WebshopCondition.DatabaseReady;
  if (observed.state === 'notBound') {
    return {
      type,
      status: 'False',
      reason: 'PostgresAPINotBound',
      message: `this workspace does not serve postgresql.cnpg.io clusters and databases: bind the APIExport ${exportText(observed.export, 'postgresql.cnpg.io')} (accepting its permission claims) to get a database; checked again every ${observed.retrySeconds} s`,
    };
  }
  if (!isPostgresClusterReady(observed.cluster)) {
    return {
      type,
      status: 'False',
      reason: 'ClusterNotReady',
      message: `waiting for Postgres Cluster ${observed.clusterName} to become Ready`,
    };
  }
  if (observed.database?.status?.applied !== true) {
    return {
      type,
      status: 'False',
      reason: 'DatabaseNotApplied',
      message: `waiting for Database ${observed.databaseName} to be applied`,
    };
  }
  return credentialsCondition(type, observed.secretName, observed.credentials, 'DatabaseReady', () => {
    return `Cluster ${observed.clusterName} is Ready, Database ${observed.databaseName} is applied, credentials in Secret ${observed.secretName}`;
  });
}

/** `SearchReady`: search is off, or the Elasticsearch is Ready with a URL and its credentials Secret complete. */
export function searchCondition(observed: SearchObservation): ConditionUpdate {
  const type = WebshopCondition.SearchReady;
  if (observed.state === 'disabled') {
    return {
      type,
      status: 'True',
      reason: 'SearchDisabled',
      message: 'search is off (spec.search.enabled is false)',
    };
  }
  if (observed.state === 'notBound') {
    return {
      type,
      status: 'False',
      reason: 'ElasticsearchAPINotBound',
      message: `this workspace does not serve search.observability.kubeloom.dev elasticsearches: bind the APIExport ${exportText(observed.export, 'search.observability.kubeloom.dev')} (accepting its permission claims) to get search, or set spec.search.enabled to false; checked again every ${observed.retrySeconds} s`,
    };
  }
  if (!isElasticsearchReady(observed.elasticsearch)) {
    return {
      type,
      status: 'False',
      reason: 'ElasticsearchNotReady',
      message: `waiting for Elasticsearch ${observed.name} to become Ready`,
    };
  }
  return credentialsCondition(type, observed.secretName, observed.credentials, 'SearchReady', () => {
    return `Elasticsearch ${observed.name} is Ready at ${observed.elasticsearch?.status?.url}, credentials in Secret ${observed.secretName}`;
  });
}

function credentialsCondition(
  type: string,
  secretName: string,
  credentials: CredentialsResult | undefined,
  readyReason: string,
  readyMessage: () => string,
): ConditionUpdate {
  if (!credentials) {
    return {
      type,
      status: 'False',
      reason: 'CredentialsPending',
      message: `waiting for the credentials Secret ${secretName}`,
    };
  }
  if ('missingKeys' in credentials) {
    return {
      type,
      status: 'False',
      reason: 'CredentialsIncomplete',
      message: `the credentials Secret ${secretName} lacks the key(s) ${credentials.missingKeys.join(', ')}`,
    };
  }
  return { type, status: 'True', reason: readyReason, message: readyMessage() };
}

/** Available replicas of a Deployment whose status is current (its controller saw the latest spec). */
export function availableReplicas(deployment: Deployment | undefined): number {
  const status = deployment?.status;
  const generation = deployment?.metadata?.generation;
  if (!status) return 0;
  if (
    status.observedGeneration !== undefined &&
    generation !== undefined &&
    status.observedGeneration < generation
  )
    return 0;
  return status.availableReplicas ?? 0;
}

/**
 * `Deployed`: the workload's Deployment has every replica available. `waitingFor` names the conditions
 * that keep it from being applied at all.
 */
export function deployedCondition(
  deployment: Deployment | undefined,
  waitingFor: readonly string[],
): ConditionUpdate {
  const type = WebshopCondition.Deployed;
  if (waitingFor.length > 0 || !deployment) {
    return {
      type,
      status: 'False',
      reason: 'WaitingForDependencies',
      message: `the shop is deployed once ${waitingFor.join(' and ') || 'its credentials'} ${waitingFor.length > 1 ? 'are' : 'is'} True`,
    };
  }
  const where = `Deployment ${deployment.metadata?.namespace}/${deployment.metadata?.name} on the compute cluster`;
  const wanted = deployment.spec?.replicas ?? 1;
  const available = availableReplicas(deployment);
  // During a rollout (a new image) old Pods still count as available: the new ones must be there too.
  const updated = deployment.status?.updatedReplicas;
  if (available < wanted || (updated !== undefined && updated < wanted)) {
    return {
      type,
      status: 'False',
      reason: 'RollingOut',
      message: `${available} of ${wanted} replicas available${updated === undefined ? '' : `, ${updated} up to date`} (${where})`,
    };
  }
  return {
    type,
    status: 'True',
    reason: 'Available',
    message: `${available} of ${wanted} replicas available (${where})`,
  };
}

/** `Ready`: the summary; when False it carries the first failing condition's reason and message. */
export function readyCondition(conditions: readonly ConditionUpdate[]): ConditionUpdate {
  const failing = conditions.find((c) => c.status !== 'True');
  if (failing) {
    return {
      type: WebshopCondition.Ready,
      status: 'False',
      reason: failing.reason,
      message: `${failing.type}: ${failing.message ?? ''}`,
    };
  }
  return { type: WebshopCondition.Ready, status: 'True', reason: 'Ready', message: 'the shop is running' };
}

/** `Ready` False while the finalizer tears the shop down. */
export function deletingCondition(step: string): ConditionUpdate {
  return { type: WebshopCondition.Ready, status: 'False', reason: 'Deleting', message: step };
}

/**
 * The Webshop's next status: `updates` set on its current conditions for its current generation, plus
 * the other fields. Returns the current status object itself when nothing changed, so `next !==
 * webshop.status` tells whether to write.
 */
export function nextStatus(
  webshop: Webshop,
  updates: readonly ConditionUpdate[],
  fields: Pick<WebshopStatus, 'availableReplicas' | 'computeNamespace'> = {},
  now: Date = new Date(),
): WebshopStatus {
  const current = webshop.status ?? {};
  const generation = webshop.metadata?.generation;
  let conditions: Condition[] | undefined = current.conditions;
  for (const update of updates) conditions = setCondition(conditions, update, generation, now);
  const next: WebshopStatus = {
    ...current,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(conditions ? { conditions } : {}),
    ...fields,
  };
  const unchanged =
    conditions === current.conditions &&
    next.observedGeneration === current.observedGeneration &&
    next.availableReplicas === current.availableReplicas &&
    next.computeNamespace === current.computeNamespace;
  return unchanged && webshop.status ? webshop.status : next;
}

/** The conditions whose status changed from `before` to `after`: one event each. */
export function transitions(
  before: readonly Condition[] | undefined,
  after: readonly Condition[] | undefined,
): Condition[] {
  return (after ?? []).filter((c) => before?.find((b) => b.type === c.type)?.status !== c.status);
}
