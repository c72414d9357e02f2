/**
 * Checks shared by the scale-out e2e tests: the per-reconcile records the replicas write, the overlap
 * assertion (no two replicas working on one workspace at once), percentiles, and bounded parallel setup.
 */

/** One reconcile (or sync) by one replica: which workspace, and when it ran (epoch ms). */
export interface ReconcileRecord {
  replica: string;
  workspace: string;
  name: string;
  start: number;
  end: number;
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** Pairs of reconciles of one workspace by two replicas whose [start, end] intervals overlap. */
export function overlaps(records: readonly ReconcileRecord[]): string[] {
  const found: string[] = [];
  const byWorkspace = Map.groupBy(records, (r) => r.workspace);
  for (const [workspace, list] of byWorkspace) {
    const sorted = list.toSorted((a, b) => a.start - b.start);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i] as ReconcileRecord;
        const b = sorted[j] as ReconcileRecord;
        if (b.start >= a.end) break;
        if (a.replica !== b.replica) {
          found.push(
            `${workspace}: ${a.replica} [${a.start}, ${a.end}] and ${b.replica} [${b.start}, ${b.end}]`,
          );
        }
      }
    }
  }
  return found;
}
