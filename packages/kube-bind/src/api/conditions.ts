/**
 * kube-bind's condition shape (type, status, severity, reason, message, lastTransitionTime) and the
 * helpers that keep a condition list the way kube-bind readers expect: one entry per type, the transition
 * time moving only when the status changes, and a `Ready` summary of the others.
 */

/** One condition on a kube-bind object. */
export interface KubeBindCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  /** `Error`, `Warning` or `Info` for a False condition; empty when True. */
  severity?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A condition to set: the transition time is filled in by {@link setCondition}. */
export type ConditionUpdate = Omit<KubeBindCondition, 'lastTransitionTime'>;

/**
 * The list with `update` in place of the condition of its type. The transition time is kept when the
 * status does not change, so readers can tell how long a state has lasted.
 */
export function setCondition(
  conditions: readonly KubeBindCondition[] | undefined,
  update: ConditionUpdate,
  now: Date = new Date(),
): KubeBindCondition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: KubeBindCondition = {
    type: update.type,
    status: update.status,
    ...(update.severity ? { severity: update.severity } : {}),
    ...(update.reason ? { reason: update.reason } : {}),
    ...(update.message ? { message: update.message } : {}),
    lastTransitionTime:
      previous && previous.status === update.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now.toISOString(),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly KubeBindCondition[] | undefined,
  type: string,
): KubeBindCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets `Ready`: False with the first False condition's reason and message (in `order`), True when every
 * condition in `order` is True, Unknown otherwise.
 */
export function setReadySummary(
  conditions: readonly KubeBindCondition[],
  order: readonly string[],
  now: Date = new Date(),
): KubeBindCondition[] {
  const relevant = order.map((type) => findCondition(conditions, type));
  const failed = relevant.find((c) => c?.status === 'False');
  if (failed) {
    return setCondition(
      conditions,
      {
        type: 'Ready',
        status: 'False',
        severity: failed.severity ?? 'Error',
        ...(failed.reason ? { reason: failed.reason } : {}),
        ...(failed.message ? { message: failed.message } : {}),
      },
      now,
    );
  }
  if (relevant.every((c) => c?.status === 'True')) {
    return setCondition(conditions, { type: 'Ready', status: 'True' }, now);
  }
  return setCondition(conditions, { type: 'Ready', status: 'Unknown', reason: 'Pending' }, now);
}

/** Whether two condition lists say the same (ignoring order). */
export function sameConditions(
  a: readonly KubeBindCondition[] | undefined,
  b: readonly KubeBindCondition[] | undefined,
): boolean {
  const key = (list: readonly KubeBindCondition[] | undefined): string =>
    JSON.stringify([...(list ?? [])].toSorted((x, y) => x.type.localeCompare(y.type)));
  return key(a) === key(b);
}
