/**
 * A status condition in the shape of Kubernetes' metav1.Condition, the convention for reporting what a
 * controller observed (`Ready`, `Degraded`, ...) so that kubectl, kstatus and other tools understand it.
 */
export interface Condition {
  /** CamelCase kind of condition, e.g. `Ready`; unique within a conditions list. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: ConditionStatus;
  /** When `status` last changed (RFC 3339, second precision). */
  lastTransitionTime: string;
  /** CamelCase machine-readable cause of the current status, e.g. `DeploymentUnavailable`. */
  reason: string;
  /** Human-readable detail; may be empty. */
  message: string;
  /** The `metadata.generation` the condition was computed from, so readers can tell it is current. */
  observedGeneration?: number;
}

/** The three values a condition's status can take. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** What {@link setCondition} takes: a condition without its transition time, which it manages. */
export interface ConditionUpdate {
  /** The condition to set, e.g. `Ready`. */
  type: string;
  /** Its new status; `lastTransitionTime` changes only if this differs from the current one. */
  status: ConditionStatus;
  /** CamelCase cause, e.g. `DatabaseUnavailable` (checked against metav1.Condition's pattern). */
  reason: string;
  /** Human-readable detail. Default empty. */
  message?: string;
}

/** metav1.Condition's validation pattern for `reason`. */
const reasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/**
 * Sets one condition in a conditions list and returns the list. `lastTransitionTime` changes only when
 * the status does (or the condition is new), so it tells how long a state has lasted; reason, message and
 * `observedGeneration` are always updated. When nothing changes, the given array itself is returned, so
 * `next !== current` tells whether a status write is needed. The given array is never modified.
 *
 * Throws a TypeError for a reason the API server would reject (it must be CamelCase-like) or an invalid
 * status, to catch the mistake where it is made rather than in a failed status update.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  observedGeneration?: number,
  now: Date = new Date(),
): Condition[] {
  if (!reasonPattern.test(update.reason)) {
    throw new TypeError(
      `condition ${update.type}: reason ${JSON.stringify(update.reason)} is invalid; use a CamelCase word such as "ReconcileFailed"`,
    );
  }
  if (update.status !== 'True' && update.status !== 'False' && update.status !== 'Unknown') {
    throw new TypeError(
      `condition ${update.type}: status must be True, False or Unknown, got ${JSON.stringify(update.status)}`,
    );
  }
  const list = conditions ?? [];
  const index = list.findIndex((c) => c.type === update.type);
  const existing = index < 0 ? undefined : list[index];
  const next: Condition = {
    type: update.type,
    status: update.status,
    lastTransitionTime:
      existing && existing.status === update.status ? existing.lastTransitionTime : kubernetesTime(now),
    reason: update.reason,
    message: update.message ?? '',
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (!existing) return [...list, next];
  if (sameCondition(existing, next)) return conditions as Condition[];
  return list.map((c, i) => (i === index ? next : c));
}

/** The condition of `type`, if present. */
export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of `type` is present with status `True`. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/** The list without the condition of `type` (the given array itself if it had none). */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  const list = conditions ?? [];
  if (!list.some((c) => c.type === type)) return list as Condition[];
  return list.filter((c) => c.type !== type);
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  );
}

/** metav1.Time's wire format: RFC 3339 in UTC with whole seconds. */
function kubernetesTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
