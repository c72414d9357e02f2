/** A kcp condition (cluster-api style: type, status, severity, reason, message). */
export interface Condition {
  /** What the condition is about, e.g. `Ready`, `APIExportValid`. */
  type: string;
  /** Whether it holds. */
  status: 'True' | 'False' | 'Unknown';
  /** How bad a `False` is: `Error` blocks, `Warning` and `Info` inform. */
  severity?: 'Error' | 'Warning' | 'Info' | '';
  /** When `status` last changed (RFC 3339). */
  lastTransitionTime?: string;
  /** CamelCase machine-readable cause of the current status. */
  reason?: string;
  /** Human-readable detail. */
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
