/** A kcp condition (cluster-api style: type, status, severity, reason, message). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: 'Error' | 'Warning' | 'Info' | '';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The condition of the given type in `obj.status.conditions`, if any. */
export function getCondition(
  obj: { status?: { conditions?: Condition[] | undefined } | undefined } | undefined,
  type: string,
): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** True when `obj` has condition `type` with status `True` (e.g. `isConditionTrue(binding, 'Ready')`). */
export function isConditionTrue(
  obj: { status?: { conditions?: Condition[] | undefined } | undefined } | undefined,
  type: string,
): boolean {
  return getCondition(obj, type)?.status === 'True';
}
