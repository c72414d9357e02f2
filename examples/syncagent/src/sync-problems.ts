/**
 * Problems the sync manager finds when it starts a PublishedResource's sync, reported on the
 * PublishedResource itself as conditions that are present (status True) only while the problem lasts, so
 * that `kubectl describe` shows them next to `Ready`:
 *
 * - `StatusSubresourceMissing`: a related entry has `syncStatus: true`, but its destination resource has
 *   no status subresource (upstream only posts an event); the sync runs, without that status.
 * - `RelatedResourceNotServed`: a related entry names a resource the service cluster does not serve; the
 *   PublishedResource is not synced until it is served (nothing is deleted meanwhile).
 *
 * The `Ready` condition belongs to the schema controller; the patch keeps it and every other condition.
 */
import type { PublishedResource } from './published-resource.ts';
import type { Condition } from './published-resource-status.ts';

/** The condition types the sync manager owns. */
export const syncProblemTypes = ['StatusSubresourceMissing', 'RelatedResourceNotServed'] as const;

/** One problem: its condition type (also the event reason) and a message naming the field. */
export interface SyncProblem {
  readonly type: (typeof syncProblemTypes)[number];
  readonly message: string;
}

/**
 * The status merge patch that makes the PublishedResource's sync-problem conditions exactly `problems`
 * (one condition per type, messages joined), and the problems that are new or changed (to post as events);
 * undefined when the status already says this.
 */
export function syncProblemsPatch(
  pr: PublishedResource,
  problems: readonly SyncProblem[],
  now: Date = new Date(),
): { patch: Record<string, unknown>; raised: SyncProblem[] } | undefined {
  const conditions = (pr.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  const generation = pr.metadata.generation;
  const wanted: SyncProblem[] = syncProblemTypes.flatMap((type) => {
    const messages = problems.filter((p) => p.type === type).map((p) => p.message);
    return messages.length > 0 ? [{ type, message: messages.join('; ') }] : [];
  });
  const raised = wanted.filter((w) => {
    const current = conditions.find((c) => c.type === w.type);
    return current?.status !== 'True' || current.message !== w.message;
  });
  const stale = conditions.filter(
    (c) => (syncProblemTypes as readonly string[]).includes(c.type) && !wanted.some((w) => w.type === c.type),
  );
  const outdated = wanted.some(
    (w) => conditions.find((c) => c.type === w.type)?.observedGeneration !== generation,
  );
  if (raised.length === 0 && stale.length === 0 && !outdated) return undefined;
  const timestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const next: Condition[] = [
    ...conditions.filter((c) => !(syncProblemTypes as readonly string[]).includes(c.type)),
    ...wanted.map((w): Condition => {
      const current = conditions.find((c) => c.type === w.type);
      return {
        type: w.type,
        status: 'True',
        reason: w.type,
        message: w.message,
        lastTransitionTime: current?.status === 'True' ? current.lastTransitionTime : timestamp,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      };
    }),
  ];
  return { patch: { status: { conditions: next } }, raised };
}
