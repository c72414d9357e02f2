/**
 * The `Ready` condition of a PublishedResource: whether it is published (its APIResourceSchema exists and
 * its name is in `status.resourceSchemaName`) or why not, naming the field and the problem, so that an
 * administrator sees a configuration mistake on the object itself. The patch keeps the transition time
 * while nothing changes, so writing it again is a no-op and never loops.
 */
import type { PublishedResource } from './published-resource.ts';

/** Condition type on PublishedResources. */
export const readyCondition = 'Ready';

/** Why a PublishedResource is or is not published. */
export type PublishedReason = 'Published' | 'InvalidSpec' | 'CRDNotFound' | 'ProjectionFailed';

/** A metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What the schema controller found out. */
export interface PublishedOutcome {
  reason: PublishedReason;
  message: string;
  /** The schema name, when published. */
  schemaName?: string;
}

/**
 * The merge patch for the status subresource, or undefined when the status already says this. The
 * schema name is kept when the resource stops being publishable: the export keeps serving the last good
 * schema, nothing is withdrawn because of a configuration mistake.
 */
export function publishedStatusPatch(
  pr: PublishedResource,
  outcome: PublishedOutcome,
  now: Date = new Date(),
): Record<string, unknown> | undefined {
  const status = (pr.status ?? {}) as { resourceSchemaName?: string; conditions?: Condition[] };
  const current = status.conditions?.find((c) => c.type === readyCondition);
  const wantedStatus = outcome.reason === 'Published' ? 'True' : 'False';
  const generation = pr.metadata.generation;
  const schemaName = outcome.schemaName ?? status.resourceSchemaName;
  const conditionSame =
    current?.status === wantedStatus &&
    current.reason === outcome.reason &&
    current.message === outcome.message &&
    current.observedGeneration === generation;
  if (conditionSame && schemaName === status.resourceSchemaName) return undefined;
  const condition: Condition = {
    type: readyCondition,
    status: wantedStatus,
    reason: outcome.reason,
    message: outcome.message,
    lastTransitionTime:
      current?.status === wantedStatus
        ? current.lastTransitionTime
        : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return {
    status: {
      ...(schemaName ? { resourceSchemaName: schemaName } : {}),
      conditions: [...(status.conditions ?? []).filter((c) => c.type !== readyCondition), condition],
    },
  };
}

/** The Ready condition of `pr`, if any. */
export function readyConditionOf(pr: PublishedResource): Condition | undefined {
  return (pr.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
    (c) => c.type === readyCondition,
  );
}
